namespace JobTemplateService.Benchmarks;

/// <summary>EXPLAIN ANALYZE of the statements behind the two queries (as MetricsRepository and RunRepository write them).</summary>
internal static class QueryPlans
{
    public static async Task<IReadOnlyList<QueryPlan>> ExplainAsync(BenchDatabase database, string runUserRunId, string legacyUserRunId)
    {
        var runIds = await database.QueryAsync<Guid>(
            "SELECT run_id FROM streamsets.run WHERE user_run_id = @runUserRunId ORDER BY run_id DESC LIMIT 51", new { runUserRunId });
        var statements = new (string Name, string Sql, object Parameters)[]
        {
            ("metrics by user-run-id", """
                SELECT * FROM streamsets.job_run_metrics WHERE user_run_id = @id ORDER BY metrics_id DESC LIMIT 101
                """, new { id = legacyUserRunId }),
            ("runs by user-run-id", """
                SELECT r.*, d.state FROM streamsets.run r LEFT JOIN streamsets.callback_delivery d ON d.run_id = r.run_id
                 WHERE r.user_run_id = @id ORDER BY r.run_id DESC LIMIT 51
                """, new { id = runUserRunId }),
            ("their instances and metrics", """
                SELECT i.*, m.* FROM streamsets.run_instance i LEFT JOIN streamsets.job_run_metrics m ON m.instance_id = i.instance_id
                 WHERE i.run_id = ANY(@ids)
                """, new { ids = runIds.ToArray() }),
        };
        var plans = new List<QueryPlan>();
        foreach (var (name, sql, parameters) in statements)
        {
            var lines = await database.QueryAsync<string>("EXPLAIN (ANALYZE, BUFFERS) " + sql, parameters);
            plans.Add(new QueryPlan(name, lines));
        }
        return plans;
    }
}

internal sealed record QueryPlan(string Name, IReadOnlyList<string> Lines)
{
    public string ExecutionTime => Lines.FirstOrDefault(l => l.StartsWith("Execution Time", StringComparison.Ordinal))?.Split(':')[1].Trim() ?? "?";
}
