namespace JobTemplateService.Security;

/// <summary>
/// Decides which parameter values are secret: the keys a template declares secret, and keys whose
/// names look secret. Masked values never reach a response, a log line or a stored copy.
/// </summary>
internal static class SecretMasker
{
    public const string Mask = "******";

    private static readonly string[] SecretFragments = ["password", "passwd", "secret", "token", "credential", "apikey", "privatekey"];
    private static readonly HashSet<string> SecretWords = new(StringComparer.OrdinalIgnoreCase) { "key", "pwd", "pass" };

    public static bool IsSecret(string key, IReadOnlyCollection<string> declaredSecrets) =>
        declaredSecrets.Contains(key, StringComparer.OrdinalIgnoreCase) || LooksSecret(key);

    public static bool LooksSecret(string key)
    {
        var compact = new string(key.Where(char.IsLetterOrDigit).ToArray()).ToLowerInvariant();
        if (SecretFragments.Any(compact.Contains)) return true;
        return Words(key).Any(SecretWords.Contains);
    }

    public static IReadOnlyDictionary<string, string> MaskValues(IReadOnlyDictionary<string, string> values, IReadOnlyCollection<string> declaredSecrets) =>
        values.ToDictionary(p => p.Key, p => IsSecret(p.Key, declaredSecrets) ? Mask : p.Value, StringComparer.Ordinal);

    /// <summary>Splits API_KEY, apiKey, api-key and api.key into words.</summary>
    private static IEnumerable<string> Words(string key)
    {
        var word = new System.Text.StringBuilder();
        for (var i = 0; i < key.Length; i++)
        {
            var c = key[i];
            var boundary = !char.IsLetterOrDigit(c) || (char.IsUpper(c) && i > 0 && char.IsLower(key[i - 1]));
            if (boundary && word.Length > 0)
            {
                yield return word.ToString();
                word.Clear();
            }
            if (char.IsLetterOrDigit(c)) word.Append(c);
        }
        if (word.Length > 0) yield return word.ToString();
    }
}
