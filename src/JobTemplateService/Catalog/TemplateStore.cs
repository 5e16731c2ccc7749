using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using JobTemplateService.Templates;
using Npgsql;

namespace JobTemplateService.Catalog;

/// <summary>
/// Templates as the admin API and templates.yaml see them: rule, template row and relationship
/// read and written together, each change audited in streamsets.template_change.
/// </summary>
internal sealed partial class TemplateStore(NpgsqlDataSource dataSource)
{
    private const string SelectStored = """
        SELECT p.ingestion_pattern_id, p.pattern_name, p.source, p.destination, t.job_template_id, t.platform,
               t.sch_job_template_id, t.title, t.description, t.owner, t.tags, t.documentation_url, t.enabled,
               t.parameters_schema::text AS parameters_schema,
               coalesce(t.source_runtime_parameters, '{}')::text AS source_runtime_parameters,
               coalesce(t.destination_runtime_parameters, '{}')::text AS destination_runtime_parameters,
               coalesce(t.source_connection_info, '{}')::text AS source_connection_info,
               coalesce(t.destination_connection_info, '{}')::text AS destination_connection_info,
               coalesce(t.max_wait, CASE WHEN t.kind = 'batch' THEN interval '4 hours' END) AS max_wait, t.max_concurrent_instances,
               t.delete_after_completion, t.instance_name_suffix,
               t.instance_name_parameter, t.secret_parameters, t.overridable_parameters, t.required_parameters,
               t.kind, t.min_input_records, t.min_output_records, t.max_error_records, t.max_error_ratio, t.stall_after, t.stall_action,
               t.allowed_environment_names
          FROM streamsets.ingestion_pattern p
          JOIN streamsets.ingestion_pattern_job_template_relationship r ON r.ingestion_pattern_id = p.ingestion_pattern_id
          JOIN streamsets.job_template t ON t.job_template_id = r.job_template_id
        """;

    public async Task<IReadOnlyList<TemplateDocument>> ListAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<StoredTemplate>(new CommandDefinition(SelectStored + " ORDER BY p.pattern_name", cancellationToken: ct));
        return rows.Select(r => r.ToDocument()).ToList();
    }

    public async Task<TemplateDocument?> GetAsync(string patternName, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return (await FindAsync(connection, null, patternName, ct))?.ToDocument();
    }

    public async Task<IReadOnlyList<TemplateChange>?> HistoryAsync(string patternName, CancellationToken ct)
    {
        const string sql = """
            SELECT change_id, pattern_name, action, changed_by, changed_at, before::text AS before, after::text AS after
              FROM streamsets.template_change WHERE pattern_name = @patternName ORDER BY change_id DESC
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = (await connection.QueryAsync<(long ChangeId, string PatternName, string Action, string? ChangedBy, DateTime ChangedAt,
            string? Before, string? After)>(new CommandDefinition(sql, new { patternName }, cancellationToken: ct))).AsList();
        if (rows.Count == 0 && await FindAsync(connection, null, patternName, ct) is null) return null;
        return rows.Select(r => new TemplateChange(r.ChangeId, r.PatternName, r.Action, r.ChangedBy, r.ChangedAt,
            Element(r.Before), Element(r.After))).ToList();
    }

    private static async Task<StoredTemplate?> FindAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string patternName,
        CancellationToken ct, bool forUpdate = false) =>
        await connection.QuerySingleOrDefaultAsync<StoredTemplate>(new CommandDefinition(
            SelectStored + " WHERE p.pattern_name = @patternName" + (forUpdate ? " FOR UPDATE OF p, t" : ""),
            new { patternName }, transaction, cancellationToken: ct));

    private static JsonElement? Element(string? json) => json is null ? null : JsonSerializer.Deserialize<JsonElement>(json);

    /// <summary>A stored template's columns, named as Dapper maps them.</summary>
    private sealed record StoredTemplate
    {
        public int IngestionPatternId { get; init; }
        public string PatternName { get; init; } = "";
        public string Source { get; init; } = "";
        public string Destination { get; init; } = "";
        public int JobTemplateId { get; init; }
        public string Platform { get; init; } = "";
        public string SchJobTemplateId { get; init; } = "";
        public string? Title { get; init; }
        public string? Description { get; init; }
        public string? Owner { get; init; }
        public string[] Tags { get; init; } = [];
        public string? DocumentationUrl { get; init; }
        public bool Enabled { get; init; }
        public string? ParametersSchema { get; init; }
        public string SourceRuntimeParameters { get; init; } = "{}";
        public string DestinationRuntimeParameters { get; init; } = "{}";
        public string SourceConnectionInfo { get; init; } = "{}";
        public string DestinationConnectionInfo { get; init; } = "{}";
        public TimeSpan? MaxWait { get; init; }
        public string Kind { get; init; } = TemplateKinds.Batch;
        public long? MinInputRecords { get; init; }
        public long? MinOutputRecords { get; init; }
        public long? MaxErrorRecords { get; init; }
        public double? MaxErrorRatio { get; init; }
        public TimeSpan? StallAfter { get; init; }
        public string StallAction { get; init; } = StallActions.Mark;
        public int? MaxConcurrentInstances { get; init; }
        public bool DeleteAfterCompletion { get; init; }
        public string InstanceNameSuffix { get; init; } = "";
        public string? InstanceNameParameter { get; init; }
        public string[] SecretParameters { get; init; } = [];
        public string[] OverridableParameters { get; init; } = [];
        public string[] RequiredParameters { get; init; } = [];
        public string[] AllowedEnvironmentNames { get; init; } = [];

        public TemplateDocument ToDocument() => new(PatternName, new TemplateDefinition
        {
            SourceType = Source, TargetType = Destination, Platform = Platform, PlatformTemplateId = SchJobTemplateId, Title = Title,
            Description = Description, Owner = Owner, Tags = Tags, DocumentationUrl = DocumentationUrl, Enabled = Enabled,
            Parameters = ParametersSchema is null ? null : JsonNode.Parse(ParametersSchema) as JsonObject,
            StaticParameters = new TemplateStatics(Object(SourceRuntimeParameters), Object(DestinationRuntimeParameters),
                Object(SourceConnectionInfo), Object(DestinationConnectionInfo)),
            Options = new TemplateOptions
            {
                MaxWait = MaxWait, MaxConcurrentInstances = MaxConcurrentInstances, DeleteAfterCompletion = DeleteAfterCompletion,
                InstanceNameSuffix = InstanceNameSuffix, InstanceNameParameter = InstanceNameParameter, SecretParameters = SecretParameters,
                OverridableParameters = OverridableParameters, RequiredParameters = RequiredParameters,
                Kind = Kind, SuccessCriteria = new SuccessCriteria(MinInputRecords, MinOutputRecords, MaxErrorRecords, MaxErrorRatio),
                StallAfter = StallAfter, StallAction = StallAction, AllowedEnvironmentNames = AllowedEnvironmentNames,
            },
        });

        private static JsonObject Object(string json) => JsonNode.Parse(json) as JsonObject ?? [];
    }
}
