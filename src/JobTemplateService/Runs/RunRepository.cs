using Dapper;
using Npgsql;

namespace JobTemplateService.Runs;

/// <summary>Reads runs with their instances and metrics.</summary>
internal sealed class RunRepository(NpgsqlDataSource dataSource)
{
    private const string RunColumns = """
        r.run_id, r.user_id, r.user_run_id, r.source_type, r.target_type, r.job_template_id, r.pattern_name, r.platform,
        r.platform_template_id, r.state, r.requested_by, r.created_at, r.finished_at, r.callback_url, r.relaunch_of,
        d.state AS callback_state, d.attempts AS callback_attempts, d.last_status AS callback_last_status,
        d.last_error AS callback_last_error, d.delivered_at AS callback_delivered_at
          FROM streamsets.run r
          LEFT JOIN streamsets.callback_delivery d ON d.run_id = r.run_id
        """;

    private const string InstanceColumns = """
        i.instance_id, i.run_id, i.ordinal, i.state, i.parameters::text AS parameters, i.platform_job_id, i.name,
        i.error, i.started_at, i.finished_at, m.metrics_id, m.successful_run, m.input_record_count,
        m.output_record_count, m.error_record_count, m.engine_id, m.pipeline_id, m.run_count, m.start_time,
        m.finish_time, m.error_message, i.live_input_records, i.live_output_records, i.live_error_records, i.live_reported_at,
        i.stalled_since
          FROM streamsets.run_instance_now i
          LEFT JOIN streamsets.job_run_metrics m ON m.instance_id = i.instance_id
        """;

    public async Task<RunResource?> GetAsync(Guid runId, CancellationToken ct)
    {
        const string sql = $"""
            SELECT {RunColumns} WHERE r.run_id = @runId;
            SELECT {InstanceColumns} WHERE i.run_id = @runId;
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var results = await connection.QueryMultipleAsync(new CommandDefinition(sql, new { runId }, cancellationToken: ct));
        var run = await results.ReadSingleOrDefaultAsync<RunRow>();
        var instances = await results.ReadAsync<InstanceRow>();
        return run is null ? null : RunResource.From(run, instances);
    }

    /// <summary>Runs newest first (run ids are time-ordered UUIDv7), after the cursor when one is given.</summary>
    public async Task<(IReadOnlyList<RunResource> Runs, Guid? NextCursor)> ListAsync(RunFilter filter, CancellationToken ct)
    {
        var conditions = new List<string>();
        if (filter.UserRunId is not null) conditions.Add("r.user_run_id = @UserRunId");
        if (filter.UserId is not null) conditions.Add("r.user_id = @UserId");
        if (filter.State is not null) conditions.Add("r.state = @State");
        if (filter.SourceType is not null) conditions.Add("r.source_type = @SourceType");
        if (filter.TargetType is not null) conditions.Add("r.target_type = @TargetType");
        if (filter.CreatedFrom is not null) conditions.Add("r.created_at >= @CreatedFrom");
        if (filter.CreatedTo is not null) conditions.Add("r.created_at < @CreatedTo");
        if (filter.Cursor is not null) conditions.Add("r.run_id < @Cursor");
        if (filter.RequestedBy is not null) conditions.Add("r.requested_by = @RequestedBy");
        var where = conditions.Count == 0 ? "" : "WHERE " + string.Join(" AND ", conditions);
        var runsSql = $"SELECT {RunColumns} {where} ORDER BY r.run_id DESC LIMIT @Fetch";

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var runs = (await connection.QueryAsync<RunRow>(new CommandDefinition(runsSql,
            new { filter.UserRunId, filter.UserId, filter.State, filter.SourceType, filter.TargetType,
                  filter.CreatedFrom, filter.CreatedTo, filter.Cursor, filter.RequestedBy, Fetch = filter.Limit + 1 }, cancellationToken: ct))).AsList();
        Guid? next = null;
        if (runs.Count > filter.Limit)
        {
            runs.RemoveAt(runs.Count - 1);
            next = runs[^1].RunId;
        }
        if (runs.Count == 0) return ([], null);

        var ids = runs.Select(r => r.RunId).ToArray();
        var instances = (await connection.QueryAsync<InstanceRow>(new CommandDefinition(
            $"SELECT {InstanceColumns} WHERE i.run_id = ANY(@ids)", new { ids }, cancellationToken: ct))).ToLookup(i => i.RunId);
        return (runs.Select(r => RunResource.From(r, instances[r.RunId])).ToList(), next);
    }
}

internal sealed record RunFilter(
    string? UserRunId, string? UserId, string? State, string? SourceType, string? TargetType,
    DateTime? CreatedFrom, DateTime? CreatedTo, Guid? Cursor, int Limit, string? RequestedBy = null);
