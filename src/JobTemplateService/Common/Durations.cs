using System.Globalization;

namespace JobTemplateService.Common;

/// <summary>Durations for people: "15 min", "1 h 30 min", "45 s", "1 d 2 h".</summary>
internal static class Durations
{
    public static string Describe(TimeSpan duration)
    {
        if (duration < TimeSpan.FromSeconds(1)) return $"{(long)duration.TotalMilliseconds} ms";
        var parts = new List<string>();
        if (duration.Days > 0) parts.Add($"{duration.Days} d");
        if (duration.Hours > 0) parts.Add($"{duration.Hours} h");
        if (duration.Minutes > 0) parts.Add($"{duration.Minutes} min");
        if (duration.Seconds > 0 || parts.Count == 0)
            parts.Add((duration.Seconds + duration.Milliseconds / 1000.0).ToString("0.###", CultureInfo.InvariantCulture) + " s");
        return string.Join(" ", parts);
    }
}
