using Microsoft.Extensions.Options;

namespace JobTemplateService;

/// <summary>platform.ini, section [streamsets]: the original streamsets.ini plus the base URL.</summary>
internal sealed class ControlHubOptions
{
    public const string Section = "streamsets";

    public string? Url { get; set; }

    [ConfigurationKeyName("cred_id")]
    public string? CredId { get; set; }

    [ConfigurationKeyName("cred_token")]
    public string? CredToken { get; set; }

    [ConfigurationKeyName("requested_by")]
    public string RequestedBy { get; set; } = "jobtemplateservice";

    public bool IsConfigured =>
        !string.IsNullOrWhiteSpace(Url) || !string.IsNullOrWhiteSpace(CredId) || !string.IsNullOrWhiteSpace(CredToken);

    public Uri BaseUri => new(Url!.TrimEnd('/') + "/");
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
}

internal sealed class ControlHubOptionsValidator(IOptions<LocalPlatformOptions> local, IOptions<KubernetesOptions>? kubernetes = null)
    : IValidateOptions<ControlHubOptions>
{
    public ValidateOptionsResult Validate(string? name, ControlHubOptions options)
    {
        const string file = ConfigurationFiles.PlatformFile, section = ControlHubOptions.Section;
        if (!options.IsConfigured)
        {
            return local.Value.Commands.Count > 0 || kubernetes?.Value.IsConfigured == true
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail(ConfigurationValidation.Problem(file, section, "url",
                    "missing, and no [local] command or [kubernetes] job spec is configured either, so no job can run"));
        }

        var failures = new List<string>();
        if (!Uri.TryCreate(options.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            failures.Add(ConfigurationValidation.Problem(file, section, "url",
                string.IsNullOrWhiteSpace(options.Url) ? "missing" : "is not an absolute http(s) URL such as https://na01.hub.streamsets.com"));
        if (string.IsNullOrWhiteSpace(options.CredId))
            failures.Add(ConfigurationValidation.Problem(file, section, "cred_id", "missing"));
        if (string.IsNullOrWhiteSpace(options.CredToken))
            failures.Add(ConfigurationValidation.Problem(file, section, "cred_token", "missing"));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
