using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json;
using JobTemplateService.Common;
using JobTemplateService.Templates;

namespace JobTemplateService.Catalog;

/// <summary>
/// A template as PUT /v1/admin/templates/{pattern-name} takes it and templates.yaml holds it:
/// the rule (source-type → target-type), the template row and its relationship, in one shape.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record TemplateDefinition
{
    public string? SourceType { get; init; }
    public string? TargetType { get; init; }
    public string? Platform { get; init; }
    public string? PlatformTemplateId { get; init; }
    public string? Title { get; init; }
    public string? Description { get; init; }
    public string? Owner { get; init; }
    public string[]? Tags { get; init; }
    public string? DocumentationUrl { get; init; }
    public bool? Enabled { get; init; }
    /// <summary>The parameter contract: a JSON Schema (2020-12) for one instance's dynamic parameters.</summary>
    public JsonObject? Parameters { get; init; }
    public TemplateStatics? StaticParameters { get; init; }
    public TemplateOptions? Options { get; init; }

    /// <summary>Reads a body; a field the shape does not have is an error, not silently dropped.</summary>
    internal static TemplateDefinition? Parse(JsonNode? body, out string? problem)
    {
        problem = null;
        try
        {
            var definition = body is JsonObject ? body.Deserialize<TemplateDefinition>(Json.Options) : null;
            if (definition is null) problem = "The body must be a JSON object.";
            return definition;
        }
        catch (JsonException ex)
        {
            problem = ex.Message;
            return null;
        }
    }

    /// <summary>Every field present, defaults spelled out: the form that is stored, compared and answered.</summary>
    internal TemplateDefinition Normalized() => this with
    {
        Platform = Platform ?? PlatformNames.ControlHub,
        Tags = Tags ?? [],
        Enabled = Enabled ?? true,
        StaticParameters = new TemplateStatics(StaticParameters?.SourceRuntimeParameters ?? [],
            StaticParameters?.DestinationRuntimeParameters ?? [], StaticParameters?.SourceConnectionInfo ?? [],
            StaticParameters?.DestinationConnectionInfo ?? []),
        Options = (Options ?? new TemplateOptions()).Normalized(),
    };

    /// <summary>
    /// The definition as JSON with object keys sorted, except inside the contract, whose order of
    /// properties is the order of a form: equal texts mean equal templates.
    /// </summary>
    internal string Canonical() => Sorted(JsonSerializer.SerializeToNode(this, Json.Options))?.ToJsonString() ?? "null";

    private static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Key, p.Key == "parameters" ? p.Value?.DeepClone() : Sorted(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Sorted).ToArray()),
        _ => node?.DeepClone(),
    };
}

/// <summary>The four jsonb columns, each an object of scalar values.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record TemplateStatics(
    JsonObject? SourceRuntimeParameters, JsonObject? DestinationRuntimeParameters,
    JsonObject? SourceConnectionInfo, JsonObject? DestinationConnectionInfo)
{
    internal IEnumerable<(string Field, JsonObject? Values)> Columns() =>
    [
        ("source-runtime-parameters", SourceRuntimeParameters), ("destination-runtime-parameters", DestinationRuntimeParameters),
        ("source-connection-info", SourceConnectionInfo), ("destination-connection-info", DestinationConnectionInfo),
    ];
}

/// <summary>
/// Template options. required-parameters is accepted beside the documented ones so that a
/// template written by SQL (the original's way) survives export and apply unchanged.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record TemplateOptions
{
    /// <summary>batch (the default) or streaming; a streaming template has no max wait unless one is given.</summary>
    public string? Kind { get; init; }
    public TimeSpan? MaxWait { get; init; }
    public int? MaxConcurrentInstances { get; init; }
    public bool? DeleteAfterCompletion { get; init; }
    public string? InstanceNameSuffix { get; init; }
    public string? InstanceNameParameter { get; init; }
    public string[]? SecretParameters { get; init; }
    public string[]? OverridableParameters { get; init; }
    public string[]? RequiredParameters { get; init; }
    public SuccessCriteria? SuccessCriteria { get; init; }
    public TimeSpan? StallAfter { get; init; }
    /// <summary>mark (the default) or fail.</summary>
    public string? StallAction { get; init; }
    /// <summary>Names from the runtime deny list that callers may set on a local or Kubernetes template.</summary>
    public string[]? AllowedEnvironmentNames { get; init; }

    internal TemplateOptions Normalized() => this with
    {
        Kind = Kind ?? TemplateKinds.Batch,
        MaxWait = MaxWait ?? ((Kind ?? TemplateKinds.Batch) == TemplateKinds.Batch ? TimeSpan.FromHours(4) : null),
        SuccessCriteria = SuccessCriteria ?? new SuccessCriteria(null, null, null, null),
        StallAction = StallAction ?? StallActions.Mark,
        DeleteAfterCompletion = DeleteAfterCompletion ?? false,
        InstanceNameSuffix = InstanceNameSuffix ?? "COUNTER",
        SecretParameters = SecretParameters ?? [],
        OverridableParameters = OverridableParameters ?? [],
        RequiredParameters = RequiredParameters ?? [],
        AllowedEnvironmentNames = AllowedEnvironmentNames ?? [],
    };
}

/// <summary>A stored template: its pattern name and its normalized definition.</summary>
public sealed record TemplateDocument(string PatternName, TemplateDefinition Template);

/// <summary>One audited change, before and after with secret values masked.</summary>
public sealed record TemplateChange(long ChangeId, string PatternName, string Action, string? ChangedBy, DateTime ChangedAt,
    JsonElement? Before, JsonElement? After);
