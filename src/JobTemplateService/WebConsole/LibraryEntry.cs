using JobTemplateService.Templates;
using Microsoft.AspNetCore.Html;

namespace JobTemplateService.WebConsole;

/// <summary>A template as the job library shows it.</summary>
public sealed record LibraryEntry(
    string PatternName, string Title, IHtmlContent Description, string SourceType, string TargetType, string Platform,
    IReadOnlyList<string> Tags, TimeSpan? MaxWait, int? MaxConcurrentInstances, bool Enabled, TemplateStats Stats)
{
    public string? Owner { get; init; }

    public string? DocumentationUrl { get; init; }

    internal static LibraryEntry From(JobTemplate t, TemplateStats stats) => new(
        t.PatternName, string.IsNullOrWhiteSpace(t.Title) ? t.PatternName : t.Title, Markdown.Render(t.Description), t.Source,
        t.Destination, t.Platform, t.Tags, t.MaxWait, t.MaxConcurrentInstances, t.Enabled, stats)
    {
        Owner = t.Owner, DocumentationUrl = t.DocumentationUrl,
    };

    internal static IEnumerable<string> SearchText(JobTemplate t) =>
        [t.PatternName, t.Title ?? "", t.Source, t.Destination, t.Platform, t.Owner ?? "", t.Description ?? "", .. t.Tags];
}

/// <summary>Runs of a template in the last 30 days, and its newest run.</summary>
public sealed record TemplateStats(int Runs, int Finished, int Succeeded, Guid? LastRunId, string? LastRunState, DateTime? LastRunAt)
{
    public static readonly TemplateStats None = new(0, 0, 0, null, null, null);

    /// <summary>Succeeded ÷ finished, or null when none finished.</summary>
    public double? SuccessRate => Finished == 0 ? null : (double)Succeeded / Finished;
}
