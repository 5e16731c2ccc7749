using System.Text;

namespace JobTemplateService.Benchmarks;

/// <summary>The query table, and the database's plans for the statements behind it.</summary>
internal static class QuerySection
{
    public static string ToMarkdown(BenchSizes sizes, QueryResults queries)
    {
        var md = new StringBuilder();
        var data = queries.Data;
        md.AppendLine("## Queries").AppendLine();
        md.AppendLine($"{queries.MetricsRows:N0} metrics rows and {queries.Runs:N0} runs ({data.Instances:N0} instances), bulk-loaded with " +
                      $"generate_series: {data.RunUserRunIds:N0} user-run-ids with {QuerySeed.RunsPerUserRunId} runs of {QuerySeed.InstancesPerRun} " +
                      $"finished instances each (9 metrics rows per user-run-id), plus {data.LegacyRows:N0} migrated rows without a run, " +
                      $"{QuerySeed.LegacyRowsPerUserRunId} per user-run-id. {sizes.QueryRequests:N0} requests per repetition, one at a time, " +
                      "each for a random user-run-id that exists (metrics: half with runs, half migrated); latency is the client's, in ms.")
            .AppendLine();
        md.AppendLine("| query | p50 | p95 | p99 | max | rows per answer |").AppendLine("|---|---|---|---|---|---|");
        Row(md, "`GET /v1/metrics?user-run-id=`", queries.Metrics);
        Row(md, "`GET /v1/runs?user-run-id=` (runs with instances and metrics)", queries.RunList);
        md.AppendLine();
        md.AppendLine("The statements behind them (EXPLAIN ANALYZE, one user-run-id, warm cache): " +
                      string.Join("; ", queries.Plans.Select(p => $"{p.Name} {p.ExecutionTime}")) + ".").AppendLine();
        md.AppendLine("<details><summary>Plans</summary>").AppendLine();
        foreach (var plan in queries.Plans)
        {
            md.AppendLine($"{plan.Name}:").AppendLine().AppendLine("```");
            foreach (var line in plan.Lines) md.AppendLine(line);
            md.AppendLine("```").AppendLine();
        }
        md.AppendLine("</details>").AppendLine();
        return md.ToString();
    }

    private static void Row(StringBuilder md, string name, IReadOnlyList<QueryRun> runs) =>
        md.AppendLine($"| {name} | {Spread.Of(runs, r => r.LatencyMs.P50).Format("0.00")} | {Spread.Of(runs, r => r.LatencyMs.P95).Format("0.00")} | " +
                      $"{Spread.Of(runs, r => r.LatencyMs.P99).Format("0.00")} | {Spread.Of(runs, r => r.LatencyMs.Max).Format("0.00")} | " +
                      $"{Spread.Of(runs, r => r.RowsPerResponse).Format("0.0")} |");
}
