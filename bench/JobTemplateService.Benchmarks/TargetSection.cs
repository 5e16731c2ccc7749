using System.Text;

namespace JobTemplateService.Benchmarks;

/// <summary>Each target of the benchmark issue, the figure it is judged on, and whether it is met.</summary>
internal sealed class TargetSection(BenchSizes sizes, LaunchResults? launch, IReadOnlyList<MonitorRun>? monitor, QueryResults? queries,
    IReadOnlyList<double>? startup, SeriesResults? series = null, IReadOnlyList<StopsRun>? stops = null, ConsoleResults? console = null)
{
    private readonly List<(string Target, string Measured, bool? Met)> rows = [];
    private readonly List<string> explanations = [];

    public string ToMarkdown()
    {
        AddLaunch();
        AddMonitor();
        AddQueries();
        AddLiveMetrics();
        if (startup is not null)
        {
            var median = Spread.Of(startup);
            rows.Add(("Start-up to /health/ready ≤ 2 s", $"{median.Format("0")} ms", median.Median <= 2000));
        }
        if (console is not null) rows.AddRange(ConsoleSection.Targets(console));

        var md = new StringBuilder();
        md.AppendLine("## Targets").AppendLine();
        md.AppendLine("| target | measured | met |").AppendLine("|---|---|---|");
        foreach (var (target, measured, met) in rows)
            md.AppendLine($"| {target} | {measured} | {met switch { true => "yes", false => "**no**", null => "–" }} |");
        md.AppendLine();
        foreach (var explanation in explanations) md.AppendLine(explanation).AppendLine();
        return md.ToString();
    }

    /// <summary>Throughput against the floor and PostgreSQL CPU per launch under load (concurrency 16 and 64); p99 overhead at the top concurrency.</summary>
    private void AddLaunch()
    {
        if (launch is null) return;
        var top = sizes.Concurrency.Max();
        foreach (var cell in LaunchSection.Cells(launch).Where(c => c.Concurrency is 16 or 64))
        {
            var ratio = Spread.Of(cell.Pairs.Select(p => p.Service.Result.RequestsPerSecond / p.Floor.Result.RequestsPerSecond));
            rows.Add(($"Launch, {cell.Instances} instance(s)/request, concurrency {cell.Concurrency}: throughput ≥ 0.7 × floor",
                $"{ratio.Format("0.00")} × floor", ratio.Median >= 0.7));
            var postgres = Spread.Of(cell.Pairs.Select(p => p.Service.CpuPerRequest.Postgres / p.Floor.CpuPerRequest.Postgres));
            rows.Add(($"Launch, {cell.Instances} instance(s)/request, concurrency {cell.Concurrency}: PostgreSQL CPU per launch ≤ 1.5 × floor's",
                $"{postgres.Format("0.00")} × floor ({Spread.Of(cell.Service, c => c.CpuPerRequest.Postgres.TotalMilliseconds).Format("0.00")} ms " +
                $"against {Spread.Of(cell.Floor, c => c.CpuPerRequest.Postgres.TotalMilliseconds).Format("0.00")} ms)", postgres.Median <= 1.5));
        }
        foreach (var cell in LaunchSection.Cells(launch).Where(c => c.Concurrency == top))
        {
            var overhead = Spread.Of(cell.Pairs.Select(p => p.Service.Result.LatencyMs.P99 - p.Floor.Result.LatencyMs.P99));
            rows.Add(($"Launch, {cell.Instances} instance(s)/request, concurrency {top}: p99 overhead ≤ 10 ms",
                $"{overhead.Format()} ms", overhead.Median <= 10));
            if (overhead.Median > 10) ExplainOverhead(cell, top);
        }
    }

    /// <summary>
    /// Why the p99 overhead at the top concurrency exceeds its target: in a closed loop that keeps
    /// every core busy, latency is concurrency ÷ throughput (Little's law), so the throughput gap
    /// alone accounts for most of it; the unsaturated cell shows the per-request overhead.
    /// </summary>
    private void ExplainOverhead(CellGroup cell, int top)
    {
        var queueing = Spread.Of(cell.Pairs.Select(p =>
            1000.0 * top / p.Service.Result.RequestsPerSecond - 1000.0 * top / p.Floor.Result.RequestsPerSecond));
        var cpu = Spread.Of(cell.Pairs.Select(p => (p.Service.CpuPerRequest.Host + p.Service.CpuPerRequest.Postgres
            - p.Floor.CpuPerRequest.Host - p.Floor.CpuPerRequest.Postgres).TotalMilliseconds));
        var text = $"*Launch, {cell.Instances} instance(s)/request, concurrency {top}:* the closed loop keeps every core busy for the " +
                   $"floor and the service alike, so latency ≈ {top} ÷ throughput (Little's law): the throughput gap alone makes " +
                   $"{queueing.Format()} ms of difference in every percentile. That gap is CPU: the service spends {cpu.Format("0.00")} ms " +
                   "more per request (its process and PostgreSQL) than the floor, for the idempotency record and stored response, the " +
                   "run's state, and the indexes monitors, limits and queries use (see the CPU table).";
        if (LaunchSection.Cells(launch!).FirstOrDefault(c => c.Instances == cell.Instances && c.Concurrency == sizes.Concurrency.Min()) is { } calm)
        {
            var calmOverhead = Spread.Of(calm.Pairs.Select(p => p.Service.Result.LatencyMs.P99 - p.Floor.Result.LatencyMs.P99));
            text += $" Without queueing (concurrency {calm.Concurrency}) the service's p99 overhead is {calmOverhead.Format()} ms.";
        }
        explanations.Add(text);
    }

    private void AddMonitor()
    {
        if (monitor is null) return;
        var limit = (sizes.PollInterval + TimeSpan.FromSeconds(1)).TotalMilliseconds;
        var p95 = Spread.Of(monitor, r => r.DetectionMs.P95);
        rows.Add(($"Monitor, {sizes.MonitorInstances:N0} in flight: detection p95 ≤ poll interval + 1 s ({limit:0} ms)",
            $"{p95.Format("0")} ms", p95.Median <= limit));
        var worst = monitor.Max(r => r.WorstCycleRatio);
        var first = Spread.Of(monitor, r => r.Cycles.FirstOrDefault()?.StatusCalls ?? 0);
        var cycles = Spread.Of(monitor, r => r.Cycles.Count);
        rows.Add(("Monitor, snapshots on: platform status calls per poll cycle ≤ in flight ÷ batch size + 1",
            $"{first.Format("0")} in the first cycle ({sizes.MonitorInstances:N0} in flight, bound {sizes.MonitorInstances / (double)BenchSizes.StatusBatchSize + 1:0}); " +
            $"worst of {cycles.Format("0")} cycles {worst:0.00} × its bound", worst <= 1));
        var rss = monitor.Max(r => r.PeakRssBytes) / 1048576.0;
        rows.Add(("Monitor, snapshots on: peak RSS ≤ 300 MB", $"{Spread.Of(monitor, r => r.PeakRssBytes / 1048576.0).Format("0")} MB (worst {rss:0})", rss <= 300));
    }

    private void AddLiveMetrics()
    {
        if (series is not null)
        {
            var p99 = Spread.Of(series.Runs, r => r.LatencyMs.P99);
            rows.Add(($"GET /v1/runs/{{run}}/instances/{{i}}/metrics p99 ≤ 10 ms ({series.Rows:N0} snapshot rows, {series.PerInstance} per series)",
                $"{p99.Format("0.00")} ms", p99.Median <= 10));
        }
        foreach (var run in stops ?? [])
        {
            var platform = run.StopDelay == TimeSpan.Zero ? "platform stops at once" : $"platform stops within {run.StopDelay.TotalSeconds:0} s";
            rows.Add(($"Cancel → CANCELED seen by the outcome long-poll, p50 / p95 ({platform})",
                $"{run.CancelToCanceledMs.P50:0} / {run.CancelToCanceledMs.P95:0} ms", null));
            rows.Add(($"Platform stop → terminal write ≈ 2 s, p50 / p95 ({platform})",
                $"{run.StopToWriteMs.P50:0} / {run.StopToWriteMs.P95:0} ms", run.StopToWriteMs.P95 <= 2000));
            rows.Add(($"Terminal write → outcome long-poll wakes ≤ 100 ms, p50 / p95 ({platform})",
                $"{run.WriteToWakeMs.P50:0.0} / {run.WriteToWakeMs.P95:0.0} ms", run.WriteToWakeMs.P95 <= 100));
        }
    }

    private void AddQueries()
    {
        if (queries is null) return;
        foreach (var (name, runs) in new[] { ("GET /v1/metrics?user-run-id=", queries.Metrics), ("GET /v1/runs?user-run-id=", queries.RunList) })
        {
            var p99 = Spread.Of(runs, r => r.LatencyMs.P99);
            rows.Add(($"{name} p99 ≤ 5 ms ({queries.MetricsRows:N0} metrics rows, {queries.Runs:N0} runs)", $"{p99.Format("0.00")} ms", p99.Median <= 5));
        }
    }
}
