namespace JobTemplateService.Platform.ControlHub;

/// <summary>
/// platform.ini, section [streamsets]: the original streamsets.ini (cred_id, cred_token), plus
/// optional overrides: the base URL (otherwise found through the StreamSets login service, as the
/// SDK does), the login service itself, and a project.
/// </summary>
internal sealed class ControlHubOptions
{
    public const string Section = "streamsets";
    public const string DefaultLoginUrl = "https://cloud.login.streamsets.com/";

    public string? Url { get; set; }

    [ConfigurationKeyName("cred_id")]
    public string? CredId { get; set; }

    [ConfigurationKeyName("cred_token")]
    public string? CredToken { get; set; }

    [ConfigurationKeyName("requested_by")]
    public string RequestedBy { get; set; } = "jobtemplateservice";

    /// <summary>The StreamSets login service that knows each organization's Control Hub URL.</summary>
    [ConfigurationKeyName("login_url")]
    public string LoginUrl { get; set; } = DefaultLoginUrl;

    /// <summary>A project id: added as project=… to every job runner call, as the SDK does once a project is selected.</summary>
    public string? Project { get; set; }

    public bool IsConfigured =>
        !string.IsNullOrWhiteSpace(Url) || !string.IsNullOrWhiteSpace(CredId) || !string.IsNullOrWhiteSpace(CredToken);

    public bool HasUrl => !string.IsNullOrWhiteSpace(Url);

    /// <summary>The organization named in the credential token (its JWT "o" claim).</summary>
    public string? Organization => ControlHubToken.Organization(CredToken);

    /// <summary>The configured base URL; only when <see cref="HasUrl"/>.</summary>
    public Uri BaseUri => new(Url!.Trim().TrimEnd('/') + "/");

    public Uri LoginUri => new(LoginUrl.Trim().TrimEnd('/') + "/");
}

/// <summary>How the service talks to Control Hub (appsettings.json, section ControlHubClient).</summary>
internal sealed class ControlHubClientOptions
{
    public const string Section = "ControlHubClient";

    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(10);
    public TimeSpan LaunchTimeout { get; set; } = TimeSpan.FromSeconds(60);
    public int ReadRetries { get; set; } = 3;
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);
    public double BreakerFailureRatio { get; set; } = 0.5;
    public int BreakerMinimumThroughput { get; set; } = 10;
    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);
    public TimeSpan BreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>After the login service failed to name the Control Hub URL, how long before asking again.</summary>
    public TimeSpan LoginRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Hosts (or *.suffix), comma-separated, a 308 "organization moved" may lead to over https; default: the configured host's parent domain.</summary>
    public string? AllowedRedirectHosts { get; set; }

    public IReadOnlyList<string> RedirectHosts() =>
        (AllowedRedirectHosts ?? "").Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
