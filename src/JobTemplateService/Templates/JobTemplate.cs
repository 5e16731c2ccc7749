using System.Text.Json;

namespace JobTemplateService.Templates;

/// <summary>A job template as a rule resolves it: the pattern that matched and the template row.</summary>
internal sealed record JobTemplate
{
    public int JobTemplateId { get; init; }
    public int IngestionPatternId { get; init; }
    public string PatternName { get; init; } = "";
    public string Source { get; init; } = "";
    public string Destination { get; init; } = "";
    public string SchJobTemplateId { get; init; } = "";
    public string Platform { get; init; } = PlatformNames.ControlHub;
    public bool DeleteAfterCompletion { get; init; }
    public string InstanceNameSuffix { get; init; } = "COUNTER";
    public string? InstanceNameParameter { get; init; }
    public string? SourceRuntimeParameters { get; init; }
    public string? DestinationRuntimeParameters { get; init; }
    public string? SourceConnectionInfo { get; init; }
    public string? DestinationConnectionInfo { get; init; }
    public string[] RequiredParameters { get; init; } = [];
    public string[] OverridableParameters { get; init; } = [];
    public string[] SecretParameters { get; init; } = [];
    public string[] AllowedEnvironmentNames { get; init; } = [];
    /// <summary>The max wait in effect: the template's, else 4 hours for a batch template and none (null) for a streaming one.</summary>
    public TimeSpan? MaxWait { get; init; }
    public int? MaxConcurrentInstances { get; init; }
    public string? Description { get; init; }
    public string? Title { get; init; }
    public string? Owner { get; init; }
    public string[] Tags { get; init; } = [];
    public string? DocumentationUrl { get; init; }
    public bool Enabled { get; init; } = true;
    /// <summary>The parameter contract (JSON Schema text), or null: then required_parameters applies.</summary>
    public string? ParametersSchema { get; init; }
    public string Kind { get; init; } = TemplateKinds.Batch;
    public long? MinInputRecords { get; init; }
    public long? MinOutputRecords { get; init; }
    public long? MaxErrorRecords { get; init; }
    public double? MaxErrorRatio { get; init; }
    public TimeSpan? StallAfter { get; init; }
    public string StallAction { get; init; } = StallActions.Mark;

    public SuccessCriteria Criteria => new(MinInputRecords, MinOutputRecords, MaxErrorRecords, MaxErrorRatio);

    /// <summary>
    /// The static set: the four jsonb columns merged in the original's order, a later column
    /// winning on a key clash. Scalars become strings, because Control Hub takes strings.
    /// </summary>
    public IReadOnlyList<(string Key, string Value, string Column)> StaticParameters()
    {
        var merged = new Dictionary<string, (string Value, string Column)>(StringComparer.Ordinal);
        AddColumn(merged, SourceRuntimeParameters, "source_runtime_parameters");
        AddColumn(merged, DestinationRuntimeParameters, "destination_runtime_parameters");
        AddColumn(merged, SourceConnectionInfo, "source_connection_info");
        AddColumn(merged, DestinationConnectionInfo, "destination_connection_info");
        return merged.Select(p => (p.Key, p.Value.Value, p.Value.Column)).ToList();
    }

    /// <summary>Every key of the four jsonb columns, with its column (a key in two columns appears twice).</summary>
    public IEnumerable<(string Key, string Column)> StaticKeys()
    {
        foreach (var (json, column) in new[] { (SourceRuntimeParameters, "source_runtime_parameters"),
                     (DestinationRuntimeParameters, "destination_runtime_parameters"), (SourceConnectionInfo, "source_connection_info"),
                     (DestinationConnectionInfo, "destination_connection_info") })
        {
            var merged = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
            AddColumn(merged, json, column);
            foreach (var key in merged.Keys) yield return (key, column);
        }
    }

    private static void AddColumn(Dictionary<string, (string, string)> merged, string? json, string column)
    {
        if (string.IsNullOrWhiteSpace(json)) return;
        using var document = JsonDocument.Parse(json);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            merged[property.Name] = (ScalarText(property.Value), column);
        }
    }

    public static string ScalarText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Null => "",
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => value.GetRawText(),
    };
}

internal static class TemplateKinds
{
    /// <summary>Runs to its end; the default.</summary>
    public const string Batch = "batch";

    /// <summary>Runs until it is canceled or fails; a clean stop on cancel ends it STOPPED.</summary>
    public const string Streaming = "streaming";
}

internal static class StallActions
{
    /// <summary>A stalled instance is marked (stalled-since, gauge, instance.stalled callback) and keeps running.</summary>
    public const string Mark = "mark";

    /// <summary>A stalled instance is also stopped and ends FAILED.</summary>
    public const string Fail = "fail";
}

internal static class PlatformNames
{
    public const string ControlHub = "controlhub";
    public const string Local = "local";
    public const string Kubernetes = "kubernetes";
}
