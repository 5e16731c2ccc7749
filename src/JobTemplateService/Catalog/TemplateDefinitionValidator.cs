using System.Text.Json.Nodes;
using JobTemplateService.Platform.Kubernetes;
using JobTemplateService.Platform.Local;
using JobTemplateService.Templates;
using Microsoft.Extensions.Options;

namespace JobTemplateService.Catalog;

/// <summary>
/// Everything a template must be before it is stored: a valid contract, statics that are objects
/// of scalars, a known platform, a local command or Kubernetes job spec that platform.ini names,
/// and options the schema's CHECKs accept. Errors are keyed by the field's path in the body.
/// </summary>
internal sealed class TemplateDefinitionValidator(IOptions<LocalPlatformOptions> local, IOptions<KubernetesOptions> kubernetes)
{
    private static readonly string[] Platforms = [PlatformNames.ControlHub, PlatformNames.Local, PlatformNames.Kubernetes];
    private static readonly string[] Suffixes = ["COUNTER", "TIME_STAMP", "PARAM_VALUE"];

    public Dictionary<string, string[]> Validate(string patternName, TemplateDefinition t)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        void Check(bool ok, string field, string message)
        {
            if (!ok) errors[field] = errors.TryGetValue(field, out var list) ? [.. list, message] : [message];
        }

        Check(patternName.Length is > 0 and <= 256 && !patternName.Any(char.IsControl), "pattern-name",
            "A pattern name is 1 to 256 printable characters.");
        Check(Text(t.SourceType, 256), "source-type", "'source-type' is required: 1 to 256 characters.");
        Check(Text(t.TargetType, 256), "target-type", "'target-type' is required: 1 to 256 characters.");
        Check(Platforms.Contains(t.Platform), "platform", $"'platform' is one of {string.Join(", ", Platforms)}.");
        Check(Text(t.PlatformTemplateId, 512), "platform-template-id", "'platform-template-id' is required: 1 to 512 characters.");
        if (t.Platform == PlatformNames.Local && Text(t.PlatformTemplateId, 512))
            Check(local.Value.Commands.ContainsKey(t.PlatformTemplateId!), "platform-template-id",
                $"platform.ini has no local command '{t.PlatformTemplateId}' (section [local]).");
        if (t.Platform == PlatformNames.Kubernetes && Text(t.PlatformTemplateId, 512))
            Check(kubernetes.Value.Specs.ContainsKey(t.PlatformTemplateId!), "platform-template-id",
                $"The Kubernetes job specs have no spec '{t.PlatformTemplateId}'.");
        Check(t.Title is null || Text(t.Title, 200), "title", "'title' is 1 to 200 characters.");
        Check(t.Description is null || t.Description.Length <= 20_000, "description", "'description' is at most 20000 characters.");
        Check(t.Owner is null || Text(t.Owner, 200), "owner", "'owner' is 1 to 200 characters.");
        Check(t.Tags!.All(tag => Text(tag, 64) && !tag.Contains(',')), "tags", "Each tag is 1 to 64 characters, without commas.");
        Check(t.DocumentationUrl is null || (Uri.TryCreate(t.DocumentationUrl, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"),
            "documentation-url", "'documentation-url' is an absolute http or https URL.");
        if (t.Parameters is not null)
        {
            var problems = ContractChecks.Check(t.Parameters, out _);
            if (problems.Count > 0) errors["parameters"] = [.. problems];
            // A contract's properties are parameter names callers set: the same naming rule as any other.
            foreach (var (name, _) in t.Parameters["properties"] as JsonObject ?? [])
            {
                var naming = JobEnvironmentNames.IsProcessBased(t.Platform ?? "")
                    ? JobEnvironmentNames.RuntimeProblem(name, t.Options!.AllowedEnvironmentNames!) : JobEnvironmentNames.IdentifierProblem(name);
                Check(naming is null, $"parameters.properties.{name}", naming ?? "");
            }
        }
        foreach (var (field, values) in t.StaticParameters!.Columns())
        {
            foreach (var (key, value) in values!)
            {
                Check(key.Length > 0 && ContractValues.IsScalar(value), $"static-parameters.{field}.{key}",
                    "Static values are strings, numbers or booleans.");
                var allowed = t.Options!.AllowedEnvironmentNames!;
                var naming = JobEnvironmentNames.IsProcessBased(t.Platform ?? "")
                    ? JobEnvironmentNames.RuntimeProblem(key, allowed) : JobEnvironmentNames.IdentifierProblem(key);
                Check(naming is null, $"static-parameters.{field}.{key}", naming ?? "");
            }
        }
        ValidateOptions(t.Options!, Check);
        return errors;
    }

    private static void ValidateOptions(TemplateOptions o, Action<bool, string, string> check)
    {
        check(o.Kind is TemplateKinds.Batch or TemplateKinds.Streaming, "options.kind", "'kind' is batch or streaming.");
        check(o.MaxWait is null || o.MaxWait > TimeSpan.Zero, "options.max-wait", "'max-wait' is a positive duration, e.g. \"04:00:00\".");
        var c = o.SuccessCriteria!;
        check(c.MinInputRecords is null or >= 0 && c.MinOutputRecords is null or >= 0 && c.MaxErrorRecords is null or >= 0,
            "options.success-criteria", "Record counts in 'success-criteria' are 0 or more.");
        check(c.MaxErrorRatio is null or >= 0 and <= 1, "options.success-criteria.max-error-ratio", "'max-error-ratio' is from 0 to 1.");
        check(o.StallAfter is null || o.StallAfter > TimeSpan.Zero, "options.stall-after", "'stall-after' is a positive duration, e.g. \"00:15:00\".");
        check(o.StallAction is StallActions.Mark or StallActions.Fail, "options.stall-action", "'stall-action' is mark or fail.");
        check(o.MaxConcurrentInstances is null or > 0, "options.max-concurrent-instances", "'max-concurrent-instances' is positive or absent.");
        check(Suffixes.Contains(o.InstanceNameSuffix), "options.instance-name-suffix",
            $"'instance-name-suffix' is one of {string.Join(", ", Suffixes)}.");
        check(o.InstanceNameSuffix != "PARAM_VALUE" || Text(o.InstanceNameParameter, 256), "options.instance-name-parameter",
            "'instance-name-parameter' names the parameter whose value names each instance (PARAM_VALUE).");
        foreach (var (field, names) in new[] { ("secret-parameters", o.SecretParameters), ("overridable-parameters", o.OverridableParameters),
                     ("required-parameters", o.RequiredParameters) })
            check(names!.All(n => Text(n, 256)), $"options.{field}", $"'{field}' holds parameter names of 1 to 256 characters.");
        check(o.AllowedEnvironmentNames!.All(n => JobEnvironmentNames.IdentifierProblem(n) is null), "options.allowed-environment-names",
            "'allowed-environment-names' holds parameter names (identifiers) from the runtime deny list.");
    }

    private static bool Text(string? value, int max) => !string.IsNullOrWhiteSpace(value) && value.Length <= max && !value.Any(char.IsControl);
}
