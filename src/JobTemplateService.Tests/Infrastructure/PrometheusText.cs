using System.Globalization;

namespace JobTemplateService.Tests;

/// <summary>
/// Reads samples from /metrics. Every TestApp has a registry of its own, so a sample counts only
/// what that test did.
/// </summary>
public static class PrometheusText
{
    public static async Task<string> ScrapeAsync(this TestApp app) => await app.Client.GetStringAsync("/metrics");

    /// <summary>The value of one series, e.g. jts_launches_total{outcome="started"}; 0 when it is not there yet.</summary>
    public static double Sample(string text, string series) =>
        text.Split('\n').Where(l => l.StartsWith(series + " ", StringComparison.Ordinal))
            .Select(l => double.Parse(l[(series.Length + 1)..].Trim(), CultureInfo.InvariantCulture)).FirstOrDefault();

    /// <summary>Every label value of every sample line, e.g. "controlhub" from {platform="controlhub"}.</summary>
    public static IEnumerable<string> LabelValues(string text) =>
        text.Split('\n').Where(l => !l.StartsWith('#') && l.Contains('{'))
            .SelectMany(l => l[(l.IndexOf('{') + 1)..l.LastIndexOf('}')].Split("\","))
            .Select(pair => pair[(pair.IndexOf('=') + 1)..].Trim('"'));
}
