using System.Text;

namespace JobTemplateService.Benchmarks;

/// <summary>The snapshot series and stop-latency tables.</summary>
internal static class LiveMetricsSection
{
    public static string Series(BenchSizes sizes, SeriesResults series)
    {
        var md = new StringBuilder();
        md.AppendLine("## Snapshot series").AppendLine();
        md.AppendLine($"{series.Rows:N0} metric snapshots ({series.TableSize} with its indexes) of {series.Instances:N0} running instances, " +
                      $"{series.PerInstance} each, bulk-loaded with generate_series one minute after the other across all instances (as the " +
                      "monitor writes them, so one instance's rows are spread over the table). " +
                      $"{sizes.QueryRequests:N0} requests per repetition, one at a time, each for the whole series of a random instance " +
                      "(`GET /v1/runs/{run}/instances/{index}/metrics?limit=10000`); latency is the client's, in ms.")
            .AppendLine();
        md.AppendLine("| query | p50 | p95 | p99 | max | snapshots per answer |").AppendLine("|---|---|---|---|---|---|");
        md.AppendLine($"| `GET /v1/runs/{{run}}/instances/{{i}}/metrics` | {Spread.Of(series.Runs, r => r.LatencyMs.P50).Format("0.00")} | " +
                      $"{Spread.Of(series.Runs, r => r.LatencyMs.P95).Format("0.00")} | {Spread.Of(series.Runs, r => r.LatencyMs.P99).Format("0.00")} | " +
                      $"{Spread.Of(series.Runs, r => r.LatencyMs.Max).Format("0.00")} | {Spread.Of(series.Runs, r => r.RowsPerResponse).Format("0")} |");
        md.AppendLine();
        md.AppendLine($"The statement behind it (EXPLAIN ANALYZE, warm cache): {series.Plan.ExecutionTime}.").AppendLine();
        md.AppendLine("<details><summary>Plan</summary>").AppendLine().AppendLine("```");
        foreach (var line in series.Plan.Lines) md.AppendLine(line);
        md.AppendLine("```").AppendLine().AppendLine("</details>").AppendLine();
        return md.ToString();
    }

    public static string Stops(IReadOnlyList<StopsRun> runs)
    {
        var md = new StringBuilder();
        md.AppendLine("## State changes seen fast").AppendLine();
        md.AppendLine("One run at a time (one instance) launched on the fake Control Hub, an outcome long-poll (`?wait=60`) waiting on it, then " +
                      "`POST /v1/runs/{id}/cancel`. The service runs as its own process with the shipped Monitor:PollInterval (10 s) and " +
                      "Monitor:StoppingCheckInterval (250 ms). Cancel → CANCELED is the caller's time from the cancel request to the " +
                      "outcome's 422; platform stop → terminal write is run.finished_at (the database time of the terminal transaction) − the " +
                      "time the fake stopped the job; terminal write → wake is the long-poll's answer − run.finished_at, so it includes the " +
                      "rest of that transaction and the commit. In ms.")
            .AppendLine();
        md.AppendLine("| the fake stops a job | samples | cancel → CANCELED p50 | p95 | platform stop → terminal write p50 | p95 | terminal write → wake p50 | p95 | max |")
            .AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var r in runs)
        {
            var when = r.StopDelay == TimeSpan.Zero ? "at once" : $"after 0–{r.StopDelay.TotalSeconds:0} s (uniform)";
            md.AppendLine($"| {when} | {r.CancelToCanceledMs.Count} | {r.CancelToCanceledMs.P50:0} | {r.CancelToCanceledMs.P95:0} | " +
                          $"{r.StopToWriteMs.P50:0} | {r.StopToWriteMs.P95:0} | {r.WriteToWakeMs.P50:0.0} | {r.WriteToWakeMs.P95:0.0} | " +
                          $"{r.WriteToWakeMs.Max:0.0} |");
        }
        md.AppendLine();
        return md.ToString();
    }
}
