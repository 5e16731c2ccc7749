using FakeControlHub;

namespace JobTemplateService.Benchmarks;

/// <summary>
/// Start-up: from starting `dotnet JobTemplateService.dll` (the Release publish) to /health/ready
/// answering 200, polled every 10 ms. The first start warms the disk cache and is not counted.
/// </summary>
internal sealed class StartupScenario(BenchSettings settings, Postgres postgres, HttpClient control)
{
    public async Task<IReadOnlyList<double>> RunAsync()
    {
        await using var database = await postgres.CreateDatabaseAsync("bench_startup");
        var fake = new FakeOptions();
        await using var hub = await FakeControlHubServer.StartAsync(fake);
        var times = new List<double>();
        for (var start = 0; start <= settings.Sizes.StartupRepetitions; start++)
        {
            var environment = ServiceEnvironment.For(postgres, database, hub, fake, settings.Work, ServiceEnvironment.FreePort(),
                monitor: true, TimeSpan.FromSeconds(10));
            await using var service = ServiceProcess.Start(settings.ServiceDll, [], environment, Path.Combine(settings.Work, "startup-service.log"));
            var ready = await service.WaitReadyAsync(control, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(10));
            Log.Info($"startup {(start == 0 ? "warm-up" : $"rep {start}")}: ready after {ready.TotalMilliseconds:0} ms");
            if (start > 0) times.Add(ready.TotalMilliseconds);
        }
        return times;
    }
}
