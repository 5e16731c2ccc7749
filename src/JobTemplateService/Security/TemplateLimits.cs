using System.Security.Claims;

namespace JobTemplateService.Security;

/// <summary>
/// An API key's template limits: pattern-name globs ("http-to-*") and tags ("tag:finance"),
/// carried as claims of the key's principal. No limit: every template.
/// </summary>
internal static class TemplateLimits
{
    public const string ClaimType = "jts:template";
    public const string TagPrefix = "tag:";

    public static IReadOnlyList<string> Of(ClaimsPrincipal user) => user.FindAll(ClaimType).Select(c => c.Value).ToList();

    /// <summary>Problems with a key's template limits (empty when they are fine).</summary>
    public static string[] Problems(IReadOnlyCollection<string>? limits) => (limits ?? [])
        .Where(l => string.IsNullOrWhiteSpace(l) || l.Length > 200 || l == TagPrefix || l.Any(c => char.IsControl(c) || c == ','))
        .Select(l => $"'{l}' is not a template limit: a pattern-name glob (* and ?) or tag:<tag>, 1 to 200 characters.")
        .ToArray();
}
