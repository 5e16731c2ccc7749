using System.Text.RegularExpressions;
using JobTemplateService.Configuration;
using Microsoft.Extensions.Options;

namespace JobTemplateService.Platform.Kubernetes;

/// <summary>Start-up checks of platform.ini [kubernetes]: every job spec usable, the cluster reachable by configuration.</summary>
internal sealed partial class KubernetesOptionsValidator : IValidateOptions<KubernetesOptions>
{
    private const string File = ConfigurationFiles.PlatformFile, Section = KubernetesOptions.Section;

    public ValidateOptionsResult Validate(string? name, KubernetesOptions options)
    {
        if (!options.IsConfigured && options.SpecProblems.Count == 0) return ValidateOptionsResult.Success;
        var failures = new List<string>(options.SpecProblems);
        if (!string.IsNullOrWhiteSpace(options.Kubeconfig))
        {
            if (!System.IO.File.Exists(options.Kubeconfig)) failures.Add(Problem("kubeconfig", $"file {options.Kubeconfig} does not exist"));
        }
        else if (!k8s.KubernetesClientConfiguration.IsInCluster())
        {
            failures.Add(Problem("kubeconfig", "missing, and the service does not run inside a cluster (no service account token)"));
        }
        if (!DnsLabel().IsMatch(options.Namespace)) failures.Add(Problem("namespace", "is not a valid namespace name"));
        foreach (var (specName, spec) in options.Specs) failures.AddRange(SpecProblems(specName, spec));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static IEnumerable<string> SpecProblems(string name, KubernetesJobSpec spec)
    {
        if (string.IsNullOrWhiteSpace(spec.Image) || spec.Image.Any(char.IsWhiteSpace))
            yield return Problem($"{name}.image", "missing or contains spaces");
        if (spec.Namespace is { } ns && !DnsLabel().IsMatch(ns))
            yield return Problem($"{name}.namespace", "is not a valid namespace name (lower-case letters, digits and '-', at most 63)");
        if (spec.ServiceAccount is { } account && (account.Length > 253 || !DnsSubdomain().IsMatch(account)))
            yield return Problem($"{name}.service_account", "is not a valid service account name");
        foreach (var (resource, quantity) in spec.Resources.Requests.Concat(spec.Resources.Limits))
        {
            if (!Quantity().IsMatch(quantity)) yield return Problem($"{name}.{resource}", $"'{quantity}' is not a Kubernetes quantity such as 250m or 1Gi");
        }
        if (spec.ActiveDeadlineSeconds is <= 0) yield return Problem($"{name}.active_deadline_seconds", "must be positive");
        if (spec.BackoffLimit is < 0 || spec.TtlSecondsAfterFinished is < 0)
            yield return Problem($"{name}.backoff_limit/ttl_seconds_after_finished", "must be at least 0");
    }

    private static string Problem(string key, string problem) => ConfigurationValidation.Problem(File, Section, key, problem);

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();

    [GeneratedRegex(@"^[+-]?(\d+(\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?\d+)?$")]
    private static partial Regex Quantity();
}
