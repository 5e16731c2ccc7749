namespace JobTemplateService.Security;

/// <summary>appsettings.json, section Security.</summary>
internal sealed class SecurityOptions
{
    public const string Section = "Security";

    /// <summary>ApiKeys (default) or None — None is for a local demo only and says so loudly at startup.</summary>
    public string Mode { get; set; } = "ApiKeys";

    /// <summary>An admin key taken from configuration, to create the first keys (and for automation that cannot run the CLI).</summary>
    public string? BootstrapAdminKey { get; set; }

    /// <summary>How long a checked key is trusted before it is looked up again (revocation takes effect within this).</summary>
    public TimeSpan KeyCacheDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Requests per second each API key (or, without one, each client address) may make; Burst on top.</summary>
    public int RequestsPerSecond { get; set; } = 50;

    public int Burst { get; set; } = 100;

    /// <summary>Requests per second (Burst on top) each client address may make without a valid key, counted before any key is looked up.</summary>
    public int UnauthenticatedRequestsPerSecond { get; set; } = 10;

    public int UnauthenticatedBurst { get; set; } = 20;

    /// <summary>Lets Mode=None listen on addresses other than loopback (behind a proxy that authenticates, say).</summary>
    public bool AllowNoNetworkAuth { get; set; }

    public bool AuthenticationDisabled => string.Equals(Mode, "None", StringComparison.OrdinalIgnoreCase);
}

/// <summary>API key scopes; admin includes the others.</summary>
internal static class Scopes
{
    public const string Launch = "launch";
    public const string Read = "read";
    public const string Admin = "admin";
    public const string ClaimType = "scope";

    /// <summary>Present (value "true") on keys limited to the runs they launched.</summary>
    public const string OwnRunsOnlyClaim = "own-runs-only";

    public static readonly string[] All = [Launch, Read, Admin];
}
