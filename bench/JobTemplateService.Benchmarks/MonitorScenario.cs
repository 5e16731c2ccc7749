using System.Diagnostics;
using FakeControlHub;

namespace JobTemplateService.Benchmarks;

/// <summary>
/// Monitor scale: N instances in flight at once on the fake, finishing at uniformly random times
/// between MinDuration and MaxDuration after they were created; the service runs as its own process
/// with its monitor on and metric snapshots on at their most frequent (Metrics:SnapshotInterval = the
/// poll interval: every poll of a running instance writes its counts and a snapshot). Measured:
/// completion on the fake to the metrics row (job_run_metrics.recorded_at), the status calls of each
/// poll cycle, the snapshots written, and the process's CPU time and peak resident memory.
/// </summary>
internal sealed class MonitorScenario(BenchSettings settings, Postgres postgres, HttpClient control)
{
    public async Task<IReadOnlyList<MonitorRun>> RunAsync()
    {
        var runs = new List<MonitorRun>();
        for (var repetition = 1; repetition <= settings.Sizes.Repetitions; repetition++)
        {
            var run = await RunOnceAsync(repetition);
            runs.Add(run);
            Log.Info($"monitor rep {repetition}: {run.Recorded}/{run.Instances} recorded in {run.Wall.TotalSeconds:0} s; detection p50 " +
                     $"{run.DetectionMs.P50:0} p95 {run.DetectionMs.P95:0} p99 {run.DetectionMs.P99:0} ms; {run.Cycles.Count} poll cycles, status calls ≤ " +
                     $"{run.WorstCycleRatio:0.00} × bound, {run.IdsPerStatusCall:0} ids per call, {run.PollsPerInstanceInterval:0.00} polls per instance per interval; " +
                     $"CPU {run.CpuCores * 100:0}% of a core; peak RSS {run.PeakRssBytes / 1048576.0:0} MB; {run.Snapshots:N0} snapshots");
        }
        return runs;
    }

    private async Task<MonitorRun> RunOnceAsync(int repetition)
    {
        var sizes = settings.Sizes;
        await using var database = await postgres.CreateDatabaseAsync("bench_monitor");
        var fake = new FakeOptions { MinDuration = sizes.MonitorMinDuration, MaxDuration = sizes.MonitorMaxDuration, Seed = repetition };
        await using var hub = await FakeControlHubServer.StartAsync(fake);
        await MonitorSeed.SeedAsync(database, hub, sizes.MonitorInstances, sizes.InstancesPerRun);

        var environment = ServiceEnvironment.For(postgres, database, hub, fake, settings.Work, ServiceEnvironment.FreePort(),
            monitor: true, sizes.PollInterval, new Dictionary<string, string> { ["Metrics__SnapshotInterval"] = sizes.PollInterval.ToString("c") });
        await using var service = ServiceProcess.Start(settings.ServiceDll, [], environment,
            Path.Combine(settings.Work, $"monitor-service-{repetition}.log"));
        using var sampling = new CancellationTokenSource();
        var statusSamples = SampleStatusCallsAsync(hub, sampling.Token);
        await service.WaitReadyAsync(control, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(50));
        var atReady = service.Sample();
        var clock = Stopwatch.StartNew();

        var deadline = sizes.MonitorMaxDuration + TimeSpan.FromSeconds(90);
        long recorded;
        while ((recorded = await database.ScalarAsync<long>("SELECT count(*) FROM streamsets.job_run_metrics")) < sizes.MonitorInstances
               && clock.Elapsed < deadline)
        {
            await Task.Delay(500);
        }
        var atEnd = service.Sample();
        var wall = clock.Elapsed;
        await sampling.CancelAsync();
        var samples = await statusSamples;

        var finishes = hub.Jobs.Views().ToDictionary(j => j.Id, j => j.FinishTime);
        var rows = await database.QueryAsync<(string JobId, DateTime RecordedAt)>(
            "SELECT platform_job_id, recorded_at FROM streamsets.job_run_metrics");
        var recordedAt = rows.Select(r => new DateTimeOffset(r.RecordedAt, TimeSpan.Zero).ToUnixTimeMilliseconds()).ToList();
        var detection = rows.Select(r => new DateTimeOffset(r.RecordedAt, TimeSpan.Zero).ToUnixTimeMilliseconds() - finishes[r.JobId])
            .Select(ms => (double)ms);
        var windows = PollWindows.From(samples, sizes.PollInterval, sizes.MonitorInstances, recordedAt);
        var cycles = CycleBound.From(hub.Cycles.Snapshot(), sizes.MonitorInstances, recordedAt);
        var snapshots = await database.ScalarAsync<long>("SELECT count(*) FROM streamsets.instance_metric_snapshot");
        return new MonitorRun(sizes.MonitorInstances, (int)recorded, Percentiles.Of(detection), windows, cycles, hub.Calls.CallsSnapshot(),
            hub.Calls.JobIds(Endpoints.Status), wall, atEnd.Cpu - atReady.Cpu, atEnd.PeakRssBytes, snapshots);
    }

    /// <summary>The fake's totals of status calls and the job ids they named, every 20 ms.</summary>
    private static async Task<List<StatusSample>> SampleStatusCallsAsync(FakeControlHubServer hub, CancellationToken ct)
    {
        var samples = new List<StatusSample>();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        try
        {
            do samples.Add(new StatusSample(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), hub.Calls.Calls(Endpoints.Status),
                    hub.Calls.JobIds(Endpoints.Status)));
            while (await timer.WaitForNextTickAsync(ct));
        }
        catch (OperationCanceledException)
        {
            // Sampling ends with the measurement.
        }
        return samples;
    }
}

/// <summary>One repetition of the monitor scenario.</summary>
internal sealed record MonitorRun(
    int Instances, int Recorded, Percentiles DetectionMs, IReadOnlyList<PollWindow> Windows, IReadOnlyList<CycleBound> Cycles,
    IReadOnlyDictionary<string, long> Calls,
    long StatusJobIds, TimeSpan Wall, TimeSpan Cpu, long PeakRssBytes, long Snapshots)
{
    public double CpuCores => Cpu / Wall;

    /// <summary>The largest status calls ÷ bound over all poll cycles (1 = exactly at the bound).</summary>
    public double WorstCycleRatio => Cycles.Select(c => c.StatusCalls / c.Bound).DefaultIfEmpty().Max();

    public double IdsPerStatusCall => (double)StatusJobIds / Math.Max(Calls.GetValueOrDefault(Endpoints.Status), 1);

    /// <summary>How often each instance in flight was asked about per poll interval, on average (1 = once).</summary>
    public double PollsPerInstanceInterval => (double)Windows.Sum(w => w.JobIds) / Math.Max(Windows.Sum(w => (long)w.InFlight), 1);
}
