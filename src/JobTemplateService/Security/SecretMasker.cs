namespace JobTemplateService.Security;

/// <summary>
/// Decides which parameter values are secret: the keys a template declares secret, and keys whose
/// names look secret. Masked values never reach a response, a log line or a stored copy.
/// </summary>
internal static class SecretMasker
{
    public const string Mask = "******";

    // A line of a multi-line secret shorter than this carries too little to hide, and masking it would mangle ordinary output.
    private const int MinMaskedLine = 4;

    private static readonly string[] SecretFragments =
    [
        "password", "passwd", "passphrase", "secret", "token", "credential", "apikey", "private", "connectionstring", "cookie",
        "session", "signature", "authorization", "bearer", "jwt",
    ];

    private static readonly HashSet<string> SecretWords = new(StringComparer.OrdinalIgnoreCase) { "key", "pwd", "pass", "auth", "oauth", "dsn", "sas" };

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

    /// <summary>
    /// What to replace in output that may echo the secret values: each value, and each line of a
    /// multi-line value (output is read line by line, so a PEM key never appears whole), longest first.
    /// </summary>
    public static IReadOnlyList<string> Needles(IEnumerable<string> secretValues) => secretValues
        .SelectMany(v => v.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length >= MinMaskedLine).Prepend(v))
        .Where(v => v.Length > 0).Distinct(StringComparer.Ordinal).OrderByDescending(v => v.Length).ToList();

    public static string Redact(string text, IReadOnlyList<string> needles)
    {
        foreach (var needle in needles) text = text.Replace(needle, Mask, StringComparison.Ordinal);
        return text;
    }

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
