using System.Text.Json;
using JobTemplateService.Security;

namespace JobTemplateService.Templates;

public sealed record TemplateList(IReadOnlyList<TemplateResource> Templates);

/// <summary>
/// A rule and its template, as a caller (or the console's form) needs it to build a launch:
/// metadata, the parameter contract verbatim under "parameters", statics with secrets masked.
/// </summary>
public sealed record TemplateResource(
    string PatternName, string SourceType, string TargetType, int JobTemplateId, string Platform, string PlatformTemplateId,
    string InstanceNameSuffix, string? InstanceNameParameter, IReadOnlyList<string> RequiredParameters,
    IReadOnlyList<string> OverridableParameters, IReadOnlyList<string> SecretParameters,
    IReadOnlyDictionary<string, string> StaticParameters, TimeSpan? MaxWait, int? MaxConcurrentInstances,
    bool DeleteAfterCompletion, string? Description)
{
    public string? Title { get; init; }
    public string? Owner { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];
    public string? DocumentationUrl { get; init; }
    public bool Enabled { get; init; } = true;
    /// <summary>The parameter contract (JSON Schema 2020-12), or null when the template has none.</summary>
    public JsonElement? Parameters { get; init; }
    /// <summary>batch (runs to its end) or streaming (runs until stopped; a stop ends it STOPPED).</summary>
    public string Kind { get; init; } = TemplateKinds.Batch;
    public SuccessCriteria SuccessCriteria { get; init; } = new(null, null, null, null);
    public TimeSpan? StallAfter { get; init; }
    public string StallAction { get; init; } = StallActions.Mark;

    internal static TemplateResource From(JobTemplate t) => new(
        t.PatternName, t.Source, t.Destination, t.JobTemplateId, t.Platform, t.SchJobTemplateId, t.InstanceNameSuffix,
        t.InstanceNameParameter, t.RequiredParameters, t.OverridableParameters, t.SecretParameters,
        t.StaticParameters().OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(p => p.Key,
            p => SecretMasker.IsSecret(p.Key, t.SecretParameters) ? SecretMasker.Mask : p.Value),
        t.MaxWait, t.MaxConcurrentInstances, t.DeleteAfterCompletion, t.Description)
    {
        Title = t.Title, Owner = t.Owner, Tags = t.Tags, DocumentationUrl = t.DocumentationUrl, Enabled = t.Enabled,
        Parameters = t.ParametersSchema is { } schema ? JsonSerializer.Deserialize<JsonElement>(schema) : null,
        Kind = t.Kind, SuccessCriteria = t.Criteria, StallAfter = t.StallAfter, StallAction = t.StallAction,
    };
}
