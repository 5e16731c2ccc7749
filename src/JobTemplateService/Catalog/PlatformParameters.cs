using System.Collections.Concurrent;
using System.Text.Json;
using JobTemplateService.Platform.ControlHub;
using JobTemplateService.Templates;

namespace JobTemplateService.Catalog;

/// <summary>
/// A Control Hub job template's own runtime parameters (names and default values), read with
/// GET /jobrunner/rest/v1/job/{templateId} as the SDK's ApiClient.get_job does, where
/// runtimeParameters is a JSON-encoded string. Kept for a minute: plans and discovery ask often.
/// </summary>
internal sealed class PlatformParameterReader(ControlHubClient client, TimeProvider time)
{
    public static readonly TimeSpan CacheDuration = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, (IReadOnlyDictionary<string, string> Parameters, DateTimeOffset Until)> cache = new();

    public async Task<IReadOnlyDictionary<string, string>> ReadAsync(string templateId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (cache.TryGetValue(templateId, out var cached) && cached.Until > now) return cached.Parameters;
        var job = await client.GetJobAsync(templateId, ct);
        var parameters = Parse(job.RuntimeParameters);
        if (cache.Count > 1_000) cache.Clear();
        cache[templateId] = (parameters, now + CacheDuration);
        return parameters;
    }

    /// <summary>Drops what was read, so the next read asks Control Hub again.</summary>
    public void Forget() => cache.Clear();

    private static SortedDictionary<string, string> Parse(string? runtimeParameters)
    {
        var parameters = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(runtimeParameters)) return parameters;
        using var document = JsonDocument.Parse(runtimeParameters);
        if (document.RootElement.ValueKind != JsonValueKind.Object) return parameters;
        foreach (var property in document.RootElement.EnumerateObject())
            parameters[property.Name] = JobTemplate.ScalarText(property.Value);
        return parameters;
    }
}

/// <summary>
/// Drift between a template and its Control Hub job template: keys the contract or the statics
/// provide that Control Hub does not define (Control Hub would ignore them), and Control Hub
/// parameters that neither provides (they run with Control Hub's default).
/// </summary>
public sealed record TemplateDrift(IReadOnlyList<string> NotDefinedByPlatform, IReadOnlyList<string> NotProvided)
{
    public bool HasDrift => NotDefinedByPlatform.Count > 0 || NotProvided.Count > 0;

    internal static TemplateDrift Between(JobTemplate template, IReadOnlyDictionary<string, string> platform)
    {
        var provided = new SortedSet<string>(template.StaticParameters().Select(s => s.Key), StringComparer.Ordinal);
        ParameterContract? contract = null;
        try
        {
            contract = ParameterContract.For(template);
        }
        catch (ContractException)
        {
            // A broken contract is reported by every launch; drift looks at the statics alone then.
        }
        provided.UnionWith(contract?.Properties.Select(p => p.Key) ?? template.RequiredParameters.Concat(template.OverridableParameters));
        return new TemplateDrift(provided.Where(k => !platform.ContainsKey(k)).ToList(),
            platform.Keys.Where(k => !provided.Contains(k)).Order(StringComparer.Ordinal).ToList());
    }

    public IEnumerable<string> Warnings(string patternName)
    {
        if (NotDefinedByPlatform.Count > 0)
            yield return $"'{patternName}' provides {string.Join(", ", NotDefinedByPlatform)}, which its Control Hub job template does not define.";
        if (NotProvided.Count > 0)
            yield return $"Control Hub parameters {string.Join(", ", NotProvided)} are provided by neither the contract nor the statics of '{patternName}'; they run with Control Hub's defaults.";
    }
}
