namespace JobTemplateService.Platform;

/// <summary>
/// The line a process-based job prints to report its record counts, as it goes and at the end:
/// <c>JTS_METRICS input=1200 output=1187 errors=13</c> (any order, each optional, a missing one
/// is 0; other name=value pairs are ignored). A line that starts with JTS_METRICS but has no
/// count, a count that is not a whole number, a word that is not name=value, or a count twice is
/// malformed: it is ignored, and the reason says why.
/// </summary>
internal static class MetricsLine
{
    public const string Prefix = "JTS_METRICS";

    /// <summary>Whether the line is meant as a metrics line at all (JTS_METRICS, then a space or the end).</summary>
    public static bool IsMetricsLine(string line)
    {
        var text = line.TrimStart();
        return text.StartsWith(Prefix, StringComparison.Ordinal) && (text.Length == Prefix.Length || char.IsWhiteSpace(text[Prefix.Length]));
    }

    /// <summary>The counts of a metrics line, or null with the reason it is malformed.</summary>
    public static (long Input, long Output, long Errors)? Parse(string line, out string? problem)
    {
        problem = null;
        var pairs = line.TrimStart()[Prefix.Length..].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (pairs.Length == 0)
        {
            problem = "no counts after JTS_METRICS";
            return null;
        }
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var parts = pair.Split('=', 2);
            if (parts.Length != 2 || parts[0].Length == 0)
            {
                problem = $"'{Shorten(pair)}' is not name=value";
                return null;
            }
            if (parts[0] is not ("input" or "output" or "errors")) continue;
            if (!parts[1].All(char.IsAsciiDigit) || !long.TryParse(parts[1], out var n))
            {
                problem = $"'{Shorten(pair)}': a count is a whole number from 0 to {long.MaxValue}";
                return null;
            }
            if (!counts.TryAdd(parts[0], n))
            {
                problem = $"'{parts[0]}' appears twice";
                return null;
            }
        }
        if (counts.Count == 0)
        {
            problem = "none of input=N, output=N, errors=N";
            return null;
        }
        return (counts.GetValueOrDefault("input"), counts.GetValueOrDefault("output"), counts.GetValueOrDefault("errors"));
    }

    /// <summary>The counts of the last well-formed metrics line of a text (a log or a termination message).</summary>
    public static (long Input, long Output, long Errors)? Last(string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        foreach (var line in text.Split('\n').Reverse())
        {
            if (IsMetricsLine(line) && Parse(line.TrimEnd('\r'), out _) is { } counts) return counts;
        }
        return null;
    }

    private static string Shorten(string text) => text.Length > 60 ? text[..60] + "…" : text;
}
