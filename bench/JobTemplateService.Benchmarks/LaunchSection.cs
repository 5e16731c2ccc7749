using System.Text;

namespace JobTemplateService.Benchmarks;

/// <summary>The launch tables: throughput against the floor, latency, and where each request's CPU went.</summary>
internal static class LaunchSection
{
    public static string ToMarkdown(BenchSizes sizes, LaunchResults launch)
    {
        var md = new StringBuilder();
        md.AppendLine("## Launch").AppendLine();
        md.AppendLine($"`POST /v1/runs` (service) and `POST {Floor.Path}` (floor) in one host process, closed loop: each of C clients sends its " +
                      $"next request when the last one is answered; {sizes.WarmUp.TotalSeconds:0.#} s warm-up each, then {sizes.Measure.TotalSeconds:0.#} s " +
                      $"measured each per cell, in {sizes.MeasureSlices * 2} alternating slices of {sizes.Measure.TotalSeconds / sizes.MeasureSlices:0.#} s " +
                      "(floor, service, service, floor, …), so that drift on the shared machine and PostgreSQL's background work fall on both alike. Every request is a new launch (its own user-run-id). The fake Control Hub answers at zero latency; " +
                      "monitors are off. The floor does four SQL round trips of the launch's shape and the same create call, nothing else.")
            .AppendLine();
        md.AppendLine("| instances/request | concurrency | floor req/s | service req/s | service ÷ floor | errors |");
        md.AppendLine("|---|---|---|---|---|---|");
        foreach (var cell in Cells(launch))
        {
            var ratio = Spread.Of(cell.Pairs.Select(p => p.Service.Result.RequestsPerSecond / p.Floor.Result.RequestsPerSecond));
            md.AppendLine($"| {cell.Instances} | {cell.Concurrency} | {Rps(cell.Floor)} | {Rps(cell.Service)} | {ratio.Format("0.00")} | " +
                          $"{cell.Pairs.Sum(p => p.Service.Result.Errors + p.Floor.Result.Errors)} |");
        }
        md.AppendLine();
        md.AppendLine("Latency in ms; overhead = service p99 − floor p99 of the same repetition.").AppendLine();
        md.AppendLine("| instances/request | concurrency | floor p50 | floor p95 | floor p99 | service p50 | service p95 | service p99 | p99 overhead |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var cell in Cells(launch))
        {
            var overhead = Spread.Of(cell.Pairs.Select(p => p.Service.Result.LatencyMs.P99 - p.Floor.Result.LatencyMs.P99));
            md.AppendLine($"| {cell.Instances} | {cell.Concurrency} | {Latency(cell.Floor, l => l.P50)} | {Latency(cell.Floor, l => l.P95)} | " +
                          $"{Latency(cell.Floor, l => l.P99)} | {Latency(cell.Service, l => l.P50)} | {Latency(cell.Service, l => l.P95)} | " +
                          $"{Latency(cell.Service, l => l.P99)} | {overhead.Format()} |");
        }
        md.AppendLine();
        md.AppendLine("CPU time per request in ms, from /proc: the host process (service or floor code), PostgreSQL (all its processes) and the " +
                      "driver (load generator and fake Control Hub). With every core busy, requests per second ≈ cores × 1000 ÷ their sum.")
            .AppendLine();
        md.AppendLine("| instances/request | concurrency | floor: host | floor: PostgreSQL | floor: driver | service: host | service: PostgreSQL | service: driver |");
        md.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var cell in Cells(launch))
        {
            md.AppendLine($"| {cell.Instances} | {cell.Concurrency} | {Cpu(cell.Floor, c => c.Host)} | {Cpu(cell.Floor, c => c.Postgres)} | " +
                          $"{Cpu(cell.Floor, c => c.Driver)} | {Cpu(cell.Service, c => c.Host)} | {Cpu(cell.Service, c => c.Postgres)} | " +
                          $"{Cpu(cell.Service, c => c.Driver)} |");
        }
        md.AppendLine();
        return md.ToString();
    }

    public static IEnumerable<CellGroup> Cells(LaunchResults launch) =>
        launch.Cells.GroupBy(c => (c.Instances, c.Concurrency)).OrderBy(g => g.Key.Instances).ThenBy(g => g.Key.Concurrency)
            .Select(g => new CellGroup(g.Key.Instances, g.Key.Concurrency,
                g.Where(c => c.Target == LaunchTarget.Floor).ToList(), g.Where(c => c.Target == LaunchTarget.Service).ToList()));

    private static string Rps(IEnumerable<LaunchCell> cells) => Spread.Of(cells, c => c.Result.RequestsPerSecond).Format("0");

    private static string Latency(IEnumerable<LaunchCell> cells, Func<Percentiles, double> figure) =>
        Spread.Of(cells, c => figure(c.Result.LatencyMs)).Format();

    private static string Cpu(IEnumerable<LaunchCell> cells, Func<CpuUse, TimeSpan> party) =>
        Spread.Of(cells, c => party(c.CpuPerRequest).TotalMilliseconds).Format("0.00");
}

/// <summary>One (instances, concurrency) cell over its repetitions; Pairs matches each repetition's floor and service runs.</summary>
internal sealed record CellGroup(int Instances, int Concurrency, IReadOnlyList<LaunchCell> Floor, IReadOnlyList<LaunchCell> Service)
{
    public IEnumerable<(LaunchCell Floor, LaunchCell Service)> Pairs =>
        Floor.Join(Service, f => f.Repetition, s => s.Repetition, (f, s) => (f, s));
}
