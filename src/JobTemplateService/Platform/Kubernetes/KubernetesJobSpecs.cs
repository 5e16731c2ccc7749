using System.Text.Json;
using JobTemplateService.Configuration;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace JobTemplateService.Platform.Kubernetes;

/// <summary>
/// Reads the job specs of platform.ini [kubernetes]: inline keys NAME.field (command and args as
/// JSON arrays, requests and limits as cpu=250m,memory=256Mi) and the YAML file named by `jobs`.
/// Problems are collected, not thrown, so start-up reports them all on one line.
/// </summary>
internal static class KubernetesJobSpecs
{
    private const string File = ConfigurationFiles.PlatformFile, Section = KubernetesOptions.Section;

    public static void Read(KubernetesOptions options, IConfiguration configuration)
    {
        foreach (var entry in configuration.GetSection(Section).GetChildren())
        {
            var dot = entry.Key.IndexOf('.');
            if (dot <= 0 || entry.Value is null) continue;
            var name = entry.Key[..dot];
            if (!options.Specs.TryGetValue(name, out var spec)) options.Specs[name] = spec = new KubernetesJobSpec();
            if (Apply(spec, entry.Key[(dot + 1)..], entry.Value.Trim()) is { } problem)
                options.SpecProblems.Add(ConfigurationValidation.Problem(File, Section, entry.Key, problem));
        }
        if (!string.IsNullOrWhiteSpace(options.Jobs)) ReadYaml(options, Path.Combine(ConfigurationFiles.ResolveDirectory(configuration), options.Jobs));
    }

    private static void ReadYaml(KubernetesOptions options, string path)
    {
        Dictionary<string, KubernetesJobSpec>? specs;
        try
        {
            var deserializer = new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build();
            specs = deserializer.Deserialize<Dictionary<string, KubernetesJobSpec>?>(System.IO.File.ReadAllText(path));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or YamlException)
        {
            var reason = ex is YamlException y ? $"line {y.Start.Line}: {(y.InnerException ?? y).Message}" : ex.Message;
            options.SpecProblems.Add(ConfigurationValidation.Problem(File, Section, "jobs", $"cannot read {path}: {reason}"));
            return;
        }
        foreach (var (name, spec) in specs ?? [])
        {
            if (!options.Specs.TryAdd(name, spec))
                options.SpecProblems.Add(ConfigurationValidation.Problem(File, Section, "jobs", $"job spec '{name}' is also defined inline"));
        }
    }

    private static string? Apply(KubernetesJobSpec spec, string field, string value)
    {
        switch (field)
        {
            case "image": spec.Image = value; return null;
            case "namespace": spec.Namespace = value; return null;
            case "service_account": spec.ServiceAccount = value; return null;
            case "command": return StringArray(value, list => spec.Command = list);
            case "args": return StringArray(value, list => spec.Args = list);
            case "requests": return Quantities(value, spec.Resources.Requests);
            case "limits": return Quantities(value, spec.Resources.Limits);
            case "active_deadline_seconds": return Number(value, n => spec.ActiveDeadlineSeconds = n);
            case "backoff_limit": return Number(value, n => spec.BackoffLimit = (int)n);
            case "ttl_seconds_after_finished": return Number(value, n => spec.TtlSecondsAfterFinished = (int)n);
            default:
                return "unknown field; one of image, command, args, namespace, service_account, requests, limits, " +
                       "active_deadline_seconds, backoff_limit, ttl_seconds_after_finished";
        }
    }

    private static string? StringArray(string value, Action<List<string>> set)
    {
        try
        {
            set(JsonSerializer.Deserialize<List<string>>(value) ?? []);
            return null;
        }
        catch (JsonException)
        {
            return """must be a JSON array of strings, such as ["python3", "-m", "job"]""";
        }
    }

    private static string? Quantities(string value, Dictionary<string, string> into)
    {
        foreach (var pair in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = pair.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || parts[0].Length == 0) return "must be resource=quantity pairs, such as cpu=250m,memory=256Mi";
            into[parts[0]] = parts[1];
        }
        return null;
    }

    private static string? Number(string value, Action<long> set)
    {
        if (!long.TryParse(value, out var n) || n is < 0 or > int.MaxValue) return "must be a whole number of at least 0";
        set(n);
        return null;
    }
}
