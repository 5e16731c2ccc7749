using System.Globalization;

namespace JobTemplateService.WebConsole;

/// <summary>How the console writes times, durations and counts.</summary>
public static class Format
{
    public static string Iso(DateTime? time) => time?.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) ?? "";

    public static string Time(DateTime? time) => time?.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) ?? "—";

    public static string Ago(DateTime? time)
    {
        if (time is null) return "—";
        var age = DateTime.UtcNow - time.Value.ToUniversalTime();
        return age.TotalSeconds < 60 ? "just now"
            : age.TotalMinutes < 60 ? $"{(int)age.TotalMinutes} min ago"
            : age.TotalHours < 48 ? $"{(int)age.TotalHours} h ago"
            : $"{(int)age.TotalDays} days ago";
    }

    public static string Duration(TimeSpan? span)
    {
        if (span is not { } d) return "—";
        return d.TotalSeconds < 60 ? $"{d.TotalSeconds:0.#} s"
            : d.TotalMinutes < 60 ? $"{(int)d.TotalMinutes} min" + (d.Seconds > 0 ? $" {d.Seconds} s" : "")
            : $"{(int)d.TotalHours} h" + (d.Minutes > 0 ? $" {d.Minutes} min" : "");
    }

    public static string Count(long? value) => value?.ToString("N0", CultureInfo.InvariantCulture) ?? "—";
}
