namespace JobTemplateService.Platform.ControlHub;

/// <summary>
/// Where a 308 "organization moved" may lead, since the credential goes with the re-sent request:
/// anywhere on Control Hub's own origin; elsewhere only to https on an allowed host name (never an
/// IP literal). Allowed hosts are ControlHubClient:AllowedRedirectHosts, by default the configured
/// host and its parent domain (na01.hub.streamsets.com allows *.hub.streamsets.com).
/// </summary>
internal static class ControlHubRedirects
{
    /// <summary>Why following the redirect from the configured base to the target is refused, or null.</summary>
    public static string? Refusal(Uri configuredBase, Uri target, IReadOnlyList<string> allowedHosts)
    {
        if (Uri.Compare(configuredBase, target, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0)
            return null;
        if (target.Scheme != Uri.UriSchemeHttps) return "it is not https";
        if (target.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6) return "its host is an IP address";
        var patterns = allowedHosts.Count > 0 ? allowedHosts : Defaults(configuredBase);
        return patterns.Any(p => Matches(target.IdnHost, p)) ? null
            : $"its host is not one of {string.Join(", ", patterns)} (ControlHubClient:AllowedRedirectHosts)";
    }

    public static IReadOnlyList<string> Defaults(Uri configuredBase)
    {
        var host = configuredBase.IdnHost;
        var labels = host.Split('.');
        // Only a parent that is itself a domain (two labels or more): never "*.com".
        return configuredBase.HostNameType == UriHostNameType.Dns && labels.Length >= 3 ? [host, "*." + string.Join('.', labels[1..])] : [host];
    }

    private static bool Matches(string host, string pattern) => pattern.StartsWith("*.", StringComparison.Ordinal)
        ? host.EndsWith(pattern[1..], StringComparison.OrdinalIgnoreCase) && host.Length > pattern.Length - 1
        : string.Equals(host, pattern, StringComparison.OrdinalIgnoreCase);
}
