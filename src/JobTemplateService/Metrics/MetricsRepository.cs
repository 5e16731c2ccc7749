using Dapper;
using Npgsql;

namespace JobTemplateService.Metrics;

internal sealed class MetricsRepository(NpgsqlDataSource dataSource)
{
    public async Task<(IReadOnlyList<MetricsRow> Rows, long? NextCursor)> ListAsync(MetricsFilter filter, CancellationToken ct)
    {
        var conditions = new List<string>();
        if (filter.UserRunId is not null) conditions.Add("user_run_id = @UserRunId");
        if (filter.UserId is not null) conditions.Add("user_id = @UserId");
        if (filter.RunId is not null) conditions.Add("run_id = @RunId");
        if (filter.Cursor is not null) conditions.Add("metrics_id < @Cursor");
        if (filter.RequestedBy is not null) conditions.Add("run_id IN (SELECT run_id FROM streamsets.run WHERE requested_by = @RequestedBy)");
        var where = conditions.Count == 0 ? "" : "WHERE " + string.Join(" AND ", conditions);
        var sql = $"""
            SELECT metrics_id, run_id, instance_id, user_id, user_run_id, job_template_id, platform_job_id, engine_id,
                   pipeline_id, successful_run, final_state, run_count, input_record_count, output_record_count,
                   error_record_count, error_message, start_time, finish_time, recorded_at
              FROM streamsets.job_run_metrics
              {where}
             ORDER BY metrics_id DESC
             LIMIT @Fetch
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = (await connection.QueryAsync<MetricsRow>(new CommandDefinition(sql,
            new { filter.UserRunId, filter.UserId, filter.RunId, filter.Cursor, filter.RequestedBy, Fetch = filter.Limit + 1 }, cancellationToken: ct))).AsList();
        long? next = null;
        if (rows.Count > filter.Limit)
        {
            rows.RemoveAt(rows.Count - 1);
            next = rows[^1].MetricsId;
        }
        return (rows, next);
    }
}

internal sealed record MetricsFilter(string? UserRunId, string? UserId, Guid? RunId, long? Cursor, int Limit, string? RequestedBy = null);
