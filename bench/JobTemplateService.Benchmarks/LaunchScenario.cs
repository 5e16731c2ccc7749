using System.Net.Http.Json;
using FakeControlHub;

namespace JobTemplateService.Benchmarks;

/// <summary>
/// Launch throughput and latency: POST /v1/runs against the service and POST /bench/floor against
/// the floor, in one host process, for every (instances per request, concurrency) cell; the fake
/// Control Hub answers at zero latency and monitors are off, so only the launch path is measured.
/// Within a cell the two are measured in alternating slices (ABBA), and repetitions interleave the
/// cells, so that drift hits the service and the floor alike.
/// </summary>
internal sealed class LaunchScenario(BenchSettings settings, Postgres postgres, HttpClient control)
{
    public async Task<LaunchResults> RunAsync()
    {
        var sizes = settings.Sizes;
        await using var database = await postgres.CreateDatabaseAsync("bench_launch");
        await database.ExecuteAsync(Floor.Schema);
        var fake = new FakeOptions { MinDuration = TimeSpan.FromHours(1), MaxDuration = TimeSpan.FromHours(2), FailureRate = 0 };
        await using var hub = await FakeControlHubServer.StartAsync(fake);
        var environment = ServiceEnvironment.For(postgres, database, hub, fake, settings.Work, ServiceEnvironment.FreePort(),
            monitor: false, sizes.PollInterval);
        await using var host = ServiceProcess.Start(settings.HostDll, [BenchHost.Mode], environment, Path.Combine(settings.Work, "launch-host.log"));
        await host.WaitReadyAsync(control, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(100));

        var cpu = new CpuMeter(host.Pid, CpuMeter.PostmasterPid(settings.PostmasterPidFile));
        using var client = LoadGenerator.CreateClient();
        var load = new LoadGenerator(client);
        var cells = new List<LaunchCell>();
        var batch = 0;
        for (var repetition = 1; repetition <= sizes.Repetitions; repetition++)
        {
            foreach (var instances in sizes.InstancesPerRequest)
            {
                foreach (var concurrency in sizes.Concurrency)
                {
                    Func<long, HttpRequestMessage> Load(LaunchTarget target)
                    {
                        var prefix = $"b{++batch}";
                        return n => Request(host.Url, target, $"{prefix}-{n}", instances);
                    }

                    foreach (var target in Targets) await load.RunAsync(Load(target), concurrency, sizes.WarmUp);
                    // Measured in alternating slices, in ABBA order (floor, service, service, floor, …): whatever
                    // else the machine does meanwhile, and PostgreSQL's own background work, falls on both alike.
                    var slices = Targets.ToDictionary(t => t, _ => new List<(LoadResult Result, CpuUse Cpu)>());
                    for (var slice = 0; slice < sizes.MeasureSlices; slice++)
                    {
                        foreach (var target in slice % 2 == 0 ? Targets : Enumerable.Reverse(Targets))
                        {
                            var before = cpu.Take();
                            var sliceResult = await load.RunAsync(Load(target), concurrency, sizes.Measure / sizes.MeasureSlices);
                            slices[target].Add((sliceResult, cpu.Take() - before));
                        }
                    }
                    foreach (var target in Targets)
                    {
                        var result = LoadResult.Combine(slices[target].Select(s => s.Result).ToList());
                        var used = slices[target].Select(s => s.Cpu).Aggregate((a, b) => a + b).PerRequest(result.Requests);
                        cells.Add(new LaunchCell(target, instances, concurrency, repetition, result, used));
                        Log.Info($"launch {target,-7} x{instances,-2} c={concurrency,-2} rep {repetition}: {result.RequestsPerSecond,7:0.0} req/s, " +
                                 $"p50 {result.LatencyMs.P50:0.0} p95 {result.LatencyMs.P95:0.0} p99 {result.LatencyMs.P99:0.0} ms, CPU ms/req host " +
                                 $"{used.Host.TotalMilliseconds:0.00} pg {used.Postgres.TotalMilliseconds:0.00} driver {used.Driver.TotalMilliseconds:0.00}, {result.Errors} errors" +
                                 (result.FirstError is { } e ? $" (first: {Trim(e)})" : "") +
                                 $"; slices {string.Join(" ", slices[target].Select(s => s.Result.RequestsPerSecond.ToString("0")))} req/s");
                    }
                }
            }
        }
        if (ProfileCell.FromEnvironment() is { } hold)
        {
            // A profiler's window: one service cell held under load, after the measured ones (BENCH_PROFILE_LAUNCH).
            Log.Info($"profile: service x{hold.Instances} c={hold.Concurrency} for {hold.Duration.TotalSeconds:0} s starts now");
            var held = await load.RunAsync(n => Request(host.Url, LaunchTarget.Service, $"profile-{n}", hold.Instances), hold.Concurrency, hold.Duration);
            Log.Info($"profile: done, {held.RequestsPerSecond:0.0} req/s");
        }
        var creates = hub.Calls.Calls(Endpoints.Create);
        return new LaunchResults(cells, creates);
    }

    private static readonly LaunchTarget[] Targets = [LaunchTarget.Floor, LaunchTarget.Service];

    private static HttpRequestMessage Request(string url, LaunchTarget target, string userRunId, int instances) =>
        new(HttpMethod.Post, url + (target == LaunchTarget.Service ? "/v1/runs" : Floor.Path))
        {
            Content = JsonContent.Create(new Dictionary<string, object>
            {
                ["user-id"] = "bench@example.com", ["user-run-id"] = userRunId,
                ["source-type"] = BenchDatabase.SourceType, ["target-type"] = BenchDatabase.TargetType,
                ["runtime-parameters"] = Enumerable.Range(0, instances)
                    .Select(i => new Dictionary<string, string> { ["CITY"] = $"City {i}", ["GCS_BUCKET"] = "bench", ["GCS_FOLDER"] = $"f{i}" })
                    .ToList(),
            }),
        };

    private static string Trim(string text) => text.Length <= 200 ? text : text[..200] + "…";
}

internal enum LaunchTarget { Floor, Service }

internal sealed record LaunchCell(LaunchTarget Target, int Instances, int Concurrency, int Repetition, LoadResult Result, CpuUse CpuPerRequest);

internal sealed record LaunchResults(IReadOnlyList<LaunchCell> Cells, long PlatformCreateCalls);

/// <summary>
/// BENCH_PROFILE_LAUNCH="instances,concurrency,seconds": after the measured cells, keep the service
/// under that one load for that long, for a profiler (perf, dotnet-trace) to attach to. Not reported.
/// </summary>
internal sealed record ProfileCell(int Instances, int Concurrency, TimeSpan Duration)
{
    public static ProfileCell? FromEnvironment() =>
        Environment.GetEnvironmentVariable("BENCH_PROFILE_LAUNCH")?.Split(',') is [var instances, var concurrency, var seconds]
            ? new ProfileCell(int.Parse(instances), int.Parse(concurrency), TimeSpan.FromSeconds(int.Parse(seconds)))
            : null;
}
