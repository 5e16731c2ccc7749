using System.Security.Claims;

namespace JobTemplateService.Security;

/// <summary>
/// Which runs a caller may see. By default every read key sees every run; a key created with
/// own-runs-only sees (and cancels) only the runs it launched, recorded as requested-by.
/// </summary>
internal static class RunVisibility
{
    /// <summary>The name runs must be requested by for this caller to see them, or null when it sees every run.</summary>
    public static string? OwnerFilter(ClaimsPrincipal user) =>
        user.HasClaim(Scopes.OwnRunsOnlyClaim, "true") ? user.Identity?.Name ?? "" : null;

    public static bool CanSee(ClaimsPrincipal user, string? requestedBy) =>
        OwnerFilter(user) is not { } owner || string.Equals(owner, requestedBy, StringComparison.Ordinal);
}
