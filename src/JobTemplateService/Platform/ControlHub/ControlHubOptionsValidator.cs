using JobTemplateService.Configuration;
using JobTemplateService.Platform.Kubernetes;
using JobTemplateService.Platform.Local;
using Microsoft.Extensions.Options;

namespace JobTemplateService.Platform.ControlHub;

/// <summary>Startup checks of [streamsets]: one line per wrong key, never echoing the token.</summary>
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
                : ValidateOptionsResult.Fail(ConfigurationValidation.Problem(file, section, "cred_id",
                    "missing, and no [local] command or [kubernetes] job spec is configured either, so no job can run"));
        }

        var failures = new List<string>();
        var organization = options.Organization;
        if (options.HasUrl && !IsHttpUrl(options.Url))
            failures.Add(ConfigurationValidation.Problem(file, section, "url",
                "is not an absolute http(s) URL such as https://na01.hub.streamsets.com"));
        if (!options.HasUrl && organization == "admin")
            failures.Add(ConfigurationValidation.Problem(file, section, "url",
                "missing; a system administrator's credential (organization 'admin') needs the Control Hub URL"));
        if (!options.HasUrl && !IsHttpUrl(options.LoginUrl))
            failures.Add(ConfigurationValidation.Problem(file, section, "login_url",
                $"is not an absolute http(s) URL such as {ControlHubOptions.DefaultLoginUrl}"));
        if (string.IsNullOrWhiteSpace(options.CredId))
            failures.Add(ConfigurationValidation.Problem(file, section, "cred_id", "missing"));
        if (string.IsNullOrWhiteSpace(options.CredToken))
            failures.Add(ConfigurationValidation.Problem(file, section, "cred_token", "missing"));
        else if (organization is null)
            failures.Add(ConfigurationValidation.Problem(file, section, "cred_token",
                "is not a Control Hub API credential token (a JWT whose payload names the organization in its 'o' claim)"));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsHttpUrl(string? value) =>
        Uri.TryCreate(value?.Trim(), UriKind.Absolute, out var url) && url.Scheme is "http" or "https";
}
