using System.Text.RegularExpressions;
using JobTemplateService.Common;
using JobTemplateService.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace JobTemplateService.Templates;

/// <summary>
/// Which templates an API key may launch: no limit means every template; otherwise a template
/// matches a glob on its pattern name ("http-to-*") or a tag ("tag:finance").
/// </summary>
internal static class TemplateAccess
{
    public static bool Allows(IReadOnlyCollection<string> limits, JobTemplate template) =>
        limits.Count == 0 || limits.Any(limit => limit.StartsWith(TemplateLimits.TagPrefix, StringComparison.Ordinal)
            ? template.Tags.Contains(limit[TemplateLimits.TagPrefix.Length..], StringComparer.Ordinal)
            : Glob(limit).IsMatch(template.PatternName));

    public static ProblemHttpResult Forbidden(string patternName) =>
        Problems.Problem(StatusCodes.Status403Forbidden, "forbidden", "The API key may not use this template.",
            $"This API key is limited to other templates; it may not launch or plan '{patternName}'.",
            new() { ["template"] = patternName });

    public static ProblemHttpResult Disabled(string patternName) =>
        Problems.Problem(StatusCodes.Status422UnprocessableEntity, "template-disabled", "The template is disabled.",
            $"The template '{patternName}' is disabled; an admin enables it with PUT /v1/admin/templates/{patternName}.",
            new() { ["template"] = patternName });

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Regex> Globs = new(StringComparer.Ordinal);

    private static Regex Glob(string pattern)
    {
        if (Globs.Count > 10_000) Globs.Clear();
        return Globs.GetOrAdd(pattern, p => new Regex("^" + Regex.Escape(p).Replace(@"\*", ".*").Replace(@"\?", ".") + "$",
            RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)));
    }
}
