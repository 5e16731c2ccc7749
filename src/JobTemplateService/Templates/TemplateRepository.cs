using System.Collections.Concurrent;
using Dapper;
using Npgsql;

namespace JobTemplateService.Templates;

internal sealed class TemplateRepository(NpgsqlDataSource dataSource)
{
    private const int MaxKept = 10_000;
    private readonly ConcurrentDictionary<(string Source, string Target), ResolvedTemplate> kept = new();

    private const string SelectTemplates = """
        SELECT t.job_template_id, coalesce(p.ingestion_pattern_id, 0) AS ingestion_pattern_id,
               coalesce(p.pattern_name, '') AS pattern_name, coalesce(p.source, '') AS source,
               coalesce(p.destination, '') AS destination,
               t.sch_job_template_id, t.platform, t.delete_after_completion, t.instance_name_suffix,
               t.instance_name_parameter, t.source_runtime_parameters::text AS source_runtime_parameters,
               t.destination_runtime_parameters::text AS destination_runtime_parameters,
               t.source_connection_info::text AS source_connection_info,
               t.destination_connection_info::text AS destination_connection_info,
               t.required_parameters, t.overridable_parameters, t.allowed_environment_names,
               coalesce(t.max_wait, CASE WHEN t.kind = 'batch' THEN interval '4 hours' END) AS max_wait,
               t.max_concurrent_instances, t.description, t.kind, t.min_input_records, t.min_output_records,
               t.max_error_records, t.max_error_ratio, t.stall_after, t.stall_action,
               t.title, t.owner, t.tags, t.documentation_url, t.enabled, t.parameters_schema::text AS parameters_schema,
               -- writeOnly properties of the contract are secrets like the declared ones.
               ARRAY(SELECT s FROM unnest(t.secret_parameters) s UNION
                     SELECT w.key FROM json_each(CASE WHEN json_typeof(t.parameters_schema -> 'properties') = 'object'
                                         THEN t.parameters_schema -> 'properties' ELSE '{}' END) w
                      WHERE json_typeof(w.value) = 'object' AND w.value ->> 'writeOnly' = 'true'
                     ORDER BY 1)::varchar[] AS secret_parameters
          FROM streamsets.job_template t
          LEFT JOIN streamsets.ingestion_pattern_job_template_relationship r ON r.job_template_id = t.job_template_id
          LEFT JOIN streamsets.ingestion_pattern p ON p.ingestion_pattern_id = r.ingestion_pattern_id
        """;

    /// <summary>The unique rule for (source, destination), or null when none matches.</summary>
    public async Task<JobTemplate?> ResolveAsync(string sourceType, string targetType, CancellationToken ct)
    {
        const string sql = SelectTemplates + " WHERE p.source = @sourceType AND p.destination = @targetType";
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<JobTemplate>(
            new CommandDefinition(sql, new { sourceType, targetType }, cancellationToken: ct));
    }

    /// <summary>
    /// The rule for (source, destination) for a launch: as this replica read it before, without a
    /// round trip, unless fresh. The catalog's version it was read at goes with it; a launch
    /// records its intent only if the catalog is still at that version (LaunchRepository), and
    /// reads the template afresh before it refuses anything, so nothing kept is ever acted on stale.
    /// </summary>
    public async Task<ResolvedTemplate> ResolveForLaunchAsync(string sourceType, string targetType, bool fresh, CancellationToken ct)
    {
        if (!fresh && kept.TryGetValue((sourceType, targetType), out var known)) return known;
        // The version first: a change committed between the two reads then shows as a stale version, never the reverse.
        const string sql = "SELECT " + CatalogVersionSql + ";\n" + SelectTemplates + " WHERE p.source = @sourceType AND p.destination = @targetType";
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var results = await connection.QueryMultipleAsync(new CommandDefinition(sql, new { sourceType, targetType }, cancellationToken: ct));
        var version = await results.ReadSingleAsync<long>();
        var template = await results.ReadSingleOrDefaultAsync<JobTemplate>();
        var resolved = new ResolvedTemplate(template, version, Kept: false);
        if (template is null)
        {
            kept.TryRemove((sourceType, targetType), out _); // only rules that exist are kept: callers cannot fill this with misses
        }
        else
        {
            if (kept.Count >= MaxKept) kept.Clear();
            kept[(sourceType, targetType)] = resolved with { Kept = true };
        }
        return resolved;
    }

    /// <summary>
    /// The template catalog's version as SQL (0 while its row is missing: the next change makes it
    /// again, above any version kept). Template writers lock it first with <see cref="LockCatalogSql"/>.
    /// </summary>
    public const string CatalogVersionSql = "coalesce((SELECT version FROM streamsets.template_catalog WHERE id = 1), 0)";

    /// <summary>
    /// Taken by a transaction that changes templates before it locks any template row, as the
    /// tables' triggers do before each statement: writers queue here and cannot deadlock.
    /// </summary>
    public const string LockCatalogSql = "SELECT 1 FROM streamsets.template_catalog WHERE id = 1 FOR UPDATE";

    public async Task<JobTemplate?> GetByIdAsync(int jobTemplateId, CancellationToken ct)
    {
        const string sql = SelectTemplates + " WHERE t.job_template_id = @jobTemplateId";
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.QueryFirstOrDefaultAsync<JobTemplate>(
            new CommandDefinition(sql, new { jobTemplateId }, cancellationToken: ct));
    }

    public async Task<JobTemplate?> GetByPatternNameAsync(string patternName, CancellationToken ct)
    {
        const string sql = SelectTemplates + " WHERE p.pattern_name = @patternName";
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<JobTemplate>(
            new CommandDefinition(sql, new { patternName }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<JobTemplate>> ListAsync(CancellationToken ct)
    {
        const string sql = SelectTemplates + " WHERE p.ingestion_pattern_id IS NOT NULL ORDER BY p.source, p.destination";
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<JobTemplate>(new CommandDefinition(sql, cancellationToken: ct));
        return rows.AsList();
    }
}

/// <summary>A launch's template (null: no rule matches) and the catalog version it was read at; Kept: read before, not now.</summary>
internal sealed record ResolvedTemplate(JobTemplate? Template, long CatalogVersion, bool Kept);

/// <summary>The template catalog changed every time a launch read it, until the launch gave up (503, retry shortly).</summary>
internal sealed class TemplateCatalogChangingException(string message) : Exception(message);
