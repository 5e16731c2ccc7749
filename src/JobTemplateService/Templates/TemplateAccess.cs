using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace JobTemplateService;

/// <summary>
/// Which templates an API key may launch: no limit means every template; otherwise a template
/// matches a glob on its pattern name ("http-to-*") or a tag ("tag:finance").
/// </summary>
internal static class TemplateAccess
{
    public const string ClaimType = "jts:template";
    public const string TagPrefix = "tag:";

    public static IReadOnlyList<string> Limits(ClaimsPrincipal user) => user.FindAll(ClaimType).Select(c => c.Value).ToList();

    public static bool Allows(IReadOnlyCollection<string> limits, JobTemplate template) =>
        limits.Count == 0 || limits.Any(limit => limit.StartsWith(TagPrefix, StringComparison.Ordinal)
            ? template.Tags.Contains(limit[TagPrefix.Length..], StringComparer.Ordinal)
            : Glob(limit).IsMatch(template.PatternName));

    /// <summary>Problems with a key's template limits (empty when they are fine).</summary>
    public static string[] Problems(IReadOnlyCollection<string>? limits) => (limits ?? [])
        .Where(l => string.IsNullOrWhiteSpace(l) || l.Length > 200 || l == TagPrefix || l.Any(c => char.IsControl(c) || c == ','))
        .Select(l => $"'{l}' is not a template limit: a pattern-name glob (* and ?) or tag:<tag>, 1 to 200 characters.")
        .ToArray();

    public static ProblemHttpResult Forbidden(string patternName) =>
        JobTemplateService.Problems.Problem(StatusCodes.Status403Forbidden, "forbidden", "The API key may not use this template.",
            $"This API key is limited to other templates; it may not launch or plan '{patternName}'.",
            new() { ["template"] = patternName });

    public static ProblemHttpResult Disabled(string patternName) =>
        JobTemplateService.Problems.Problem(StatusCodes.Status422UnprocessableEntity, "template-disabled", "The template is disabled.",
            $"The template '{patternName}' is disabled; an admin enables it with PUT /v1/admin/templates/{patternName}.",
            new() { ["template"] = patternName });

    /// <summary>Why this caller cannot launch this template (forbidden first, then disabled), or null.</summary>
    public static (string Outcome, ProblemHttpResult Problem)? Refusal(JobTemplate template, IReadOnlyCollection<string> limits)
    {
        if (!Allows(limits, template)) return ("forbidden", Forbidden(template.PatternName));
        if (!template.Enabled) return ("template_disabled", Disabled(template.PatternName));
        return null;
    }

    private static Regex Glob(string pattern) =>
        new("^" + Regex.Escape(pattern).Replace(@"\*", ".*").Replace(@"\?", ".") + "$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
}
