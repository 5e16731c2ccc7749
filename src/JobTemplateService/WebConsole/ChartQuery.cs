using Dapper;
using Npgsql;

namespace JobTemplateService.WebConsole;

/// <summary>
/// A template's recent runs (the caller's own, for a key that sees only those) with their record counts
/// (summed over instances) and durations, oldest first.
/// </summary>
internal sealed class ChartQuery(NpgsqlDataSource dataSource)
{
    public async Task<IReadOnlyList<RunPoint>> RecentRunsAsync(int jobTemplateId, string? owner, int count, CancellationToken ct)
    {
        const string sql = """
            SELECT r.run_id, r.user_run_id, r.state, r.created_at, r.finished_at,
                   sum(m.input_record_count)::bigint AS input, sum(m.output_record_count)::bigint AS output,
                   sum(m.error_record_count)::bigint AS errors
              FROM (SELECT run_id, user_run_id, state, created_at, finished_at FROM streamsets.run
                     WHERE job_template_id = @jobTemplateId AND (@owner::varchar IS NULL OR requested_by = @owner)
                     ORDER BY created_at DESC LIMIT @count) r
              LEFT JOIN streamsets.run_instance_now i ON i.run_id = r.run_id
              LEFT JOIN streamsets.job_run_metrics m ON m.instance_id = i.instance_id
             GROUP BY r.run_id, r.user_run_id, r.state, r.created_at, r.finished_at
             ORDER BY r.created_at
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<RunPoint>(new CommandDefinition(sql, new { jobTemplateId, owner, count }, cancellationToken: ct))).AsList();
    }
}

public sealed record RunPoint(Guid RunId, string UserRunId, string State, DateTime CreatedAt, DateTime? FinishedAt,
    long? Input, long? Output, long? Errors)
{
    public TimeSpan? Duration => FinishedAt - CreatedAt;
}
