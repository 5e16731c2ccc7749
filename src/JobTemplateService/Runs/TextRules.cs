namespace JobTemplateService.Runs;

/// <summary>
/// What text from a caller may contain. PostgreSQL cannot store NUL, a lone surrogate cannot be
/// encoded as UTF-8, and control characters forge lines in logs and terminals, so identifying
/// fields refuse all of them; parameter values keep tab and line breaks (a PEM key has them).
/// </summary>
internal static class TextRules
{
    public const string FieldMessage = "must not contain control characters, line separators or unpaired surrogates";
    public const string ValueMessage = "must not contain NUL, control characters other than tab and line breaks, or unpaired surrogates";

    public static bool IsCleanField(string text) => !text.Any(c => char.IsControl(c) || c is '\u2028' or '\u2029') && !HasLoneSurrogate(text);

    public static bool IsCleanValue(string text) =>
        !text.Any(c => c is < ' ' and not ('\t' or '\n' or '\r') or '\u007f') && !HasLoneSurrogate(text);

    /// <summary>A JSON string's text; false when it escapes a lone surrogate (which System.Text.Json refuses to decode).</summary>
    public static bool TryGetString(System.Text.Json.JsonElement element, out string text)
    {
        try
        {
            text = element.GetString() ?? "";
            return true;
        }
        catch (InvalidOperationException)
        {
            text = "";
            return false;
        }
    }

    public static bool HasLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
            else if (char.IsSurrogate(text[i])) return true;
        }
        return false;
    }
}
