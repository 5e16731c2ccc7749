using System.Text;
using FakeControlHub;

namespace JobTemplateService.Benchmarks;

/// <summary>The monitor table: detection delay, platform calls per poll cycle, CPU and memory.</summary>
internal static class MonitorSection
{
    public static string ToMarkdown(BenchSizes sizes, IReadOnlyList<MonitorRun> runs)
    {
        var md = new StringBuilder();
        var window = sizes.MonitorMaxDuration - sizes.MonitorMinDuration;
        md.AppendLine("## Monitor scale").AppendLine();
        md.AppendLine($"{sizes.MonitorInstances:N0} instances ({sizes.InstancesPerRun} per run) in flight at once on the fake Control Hub, created " +
                      $"together and finishing at uniformly random times {sizes.MonitorMinDuration.TotalSeconds:0}–{sizes.MonitorMaxDuration.TotalSeconds:0} s " +
                      $"later (≈ {sizes.MonitorInstances / window.TotalSeconds:0} completions/s; 10 % fail). One service process " +
                      $"(`dotnet JobTemplateService.dll`), Monitor:PollInterval {sizes.PollInterval.TotalSeconds:0} s, StatusBatchSize " +
                      $"{BenchSizes.StatusBatchSize}, other monitor settings as shipped (ClaimBatchSize 500, MaxParallelism 8), " +
                      $"metric snapshots on with Metrics:SnapshotInterval {sizes.PollInterval.TotalSeconds:0} s (a snapshot per poll of each " +
                      "running instance, from the counts in the bulk status: no extra platform call). Detection = " +
                      "job_run_metrics.recorded_at − the fake's finish time. The fake groups status calls into poll cycles: a cycle ends when " +
                      "a call names a job the cycle already asked about. A cycle's bound is the instances without a metrics row when it " +
                      $"began ÷ {BenchSizes.StatusBatchSize}, + 1. Polls per instance per interval count the job ids named in consecutive " +
                      "windows of one poll interval against the instances in flight (1 = each polled once per interval). " +
                      "CPU and memory are the service process's, from " +
                      "/proc, from ready until the last metrics row.")
            .AppendLine();
        md.AppendLine("| figure | median (min–max) |").AppendLine("|---|---|");
        Row(md, "metrics rows written", runs, r => r.Recorded, "0");
        Row(md, "time until the last one, s", runs, r => r.Wall.TotalSeconds);
        Row(md, "detection p50, ms", runs, r => r.DetectionMs.P50, "0");
        Row(md, "detection p95, ms", runs, r => r.DetectionMs.P95, "0");
        Row(md, "detection p99, ms", runs, r => r.DetectionMs.P99, "0");
        Row(md, "detection max, ms", runs, r => r.DetectionMs.Max, "0");
        Row(md, "poll cycles", runs, r => r.Cycles.Count, "0");
        Row(md, "status calls in the first cycle", runs, r => r.Cycles.FirstOrDefault()?.StatusCalls ?? 0, "0");
        Row(md, "… its bound (in flight ÷ batch size + 1)", runs, r => r.Cycles.FirstOrDefault()?.Bound ?? 0);
        Row(md, "largest status calls ÷ bound over all cycles", runs, r => r.WorstCycleRatio, "0.00");
        Row(md, "cycles above their bound", runs, r => r.Cycles.Count(c => c.StatusCalls > c.Bound), "0");
        Row(md, "job ids per status call (mean)", runs, r => r.IdsPerStatusCall);
        Row(md, "polls per instance in flight per interval (mean)", runs, r => r.PollsPerInstanceInterval, "0.00");
        Row(md, "metric snapshots written", runs, r => r.Snapshots, "0");
        Row(md, "bulk job reads (names, first poll only)", runs, r => Calls(r, Endpoints.BulkGet), "0");
        Row(md, "per-completion reads (job + history + record counts)", runs,
            r => Calls(r, Endpoints.Get) + Calls(r, Endpoints.History) + Calls(r, Endpoints.RecordCounts), "0");
        Row(md, "CPU, s", runs, r => r.Cpu.TotalSeconds);
        Row(md, "CPU, % of one core (average)", runs, r => r.CpuCores * 100, "0");
        Row(md, "peak RSS (VmHWM), MB", runs, r => r.PeakRssBytes / 1048576.0, "0");
        md.AppendLine();
        return md.ToString();
    }

    private static long Calls(MonitorRun run, string endpoint) => run.Calls.GetValueOrDefault(endpoint);

    private static void Row(StringBuilder md, string name, IEnumerable<MonitorRun> runs, Func<MonitorRun, double> figure, string format = "0.0") =>
        md.AppendLine($"| {name} | {Spread.Of(runs, figure).Format(format)} |");
}
