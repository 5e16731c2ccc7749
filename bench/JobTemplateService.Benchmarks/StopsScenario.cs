using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FakeControlHub;

namespace JobTemplateService.Benchmarks;

/// <summary>
/// How fast state changes show: one run at a time is launched on the fake, an outcome long-poll
/// (?wait=60) waits on it, and the run is canceled. Measured: cancel request → the outcome's 422
/// (CANCELED seen by a caller), the platform's stop (the fake's stop time) → the terminal write
/// (run.finished_at, the database time of that transaction), and the terminal write → the
/// long-poll's answer. The service runs as its own process with the shipped poll interval (10 s),
/// so what is measured is the following of stopped instances, not the regular poll. Twice: a fake
/// that stops a job at once, and one that takes up to a few seconds (a pipeline draining).
/// </summary>
internal sealed class StopsScenario(BenchSettings settings, Postgres postgres, HttpClient control)
{
    public async Task<IReadOnlyList<StopsRun>> RunAsync()
    {
        var runs = new List<StopsRun>();
        foreach (var delay in new[] { TimeSpan.Zero, settings.Sizes.StopDelay })
        {
            runs.Add(await RunOnceAsync(delay));
            var r = runs[^1];
            Log.Info($"stops (platform stop within {delay.TotalSeconds:0.#} s): cancel → CANCELED p50 {r.CancelToCanceledMs.P50:0} " +
                     $"p95 {r.CancelToCanceledMs.P95:0} ms; stop → terminal write p50 {r.StopToWriteMs.P50:0} p95 {r.StopToWriteMs.P95:0} ms; " +
                     $"write → outcome wake p50 {r.WriteToWakeMs.P50:0.0} p95 {r.WriteToWakeMs.P95:0.0} ms");
        }
        return runs;
    }

    private async Task<StopsRun> RunOnceAsync(TimeSpan stopDelay)
    {
        var sizes = settings.Sizes;
        await using var database = await postgres.CreateDatabaseAsync("bench_stops");
        var fake = new FakeOptions
        {
            MinDuration = TimeSpan.FromHours(1), MaxDuration = TimeSpan.FromHours(1), StopDelay = stopDelay, FailureRate = 0, Seed = 7,
        };
        await using var hub = await FakeControlHubServer.StartAsync(fake);
        var environment = ServiceEnvironment.For(postgres, database, hub, fake, settings.Work, ServiceEnvironment.FreePort(),
            monitor: true, TimeSpan.FromSeconds(10));
        await using var service = ServiceProcess.Start(settings.ServiceDll, [], environment,
            Path.Combine(settings.Work, $"stops-service-{stopDelay.TotalSeconds:0}.log"));
        await service.WaitReadyAsync(control, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(50));
        using var client = LoadGenerator.CreateClient();

        var cancelToCanceled = new List<double>();
        var stopToWrite = new List<double>();
        var writeToWake = new List<double>();
        for (var sample = 0; sample < sizes.StopSamples; sample++)
        {
            var body = new Dictionary<string, object>
            {
                ["user-id"] = "bench@example.com", ["user-run-id"] = $"stops-{stopDelay.TotalSeconds:0}-{sample}",
                ["source-type"] = BenchDatabase.SourceType, ["target-type"] = BenchDatabase.TargetType,
                ["runtime-parameters"] = new[] { new Dictionary<string, string> { ["CITY"] = "London" } },
            };
            using var launched = await client.PostAsJsonAsync($"{service.Url}/v1/runs", body);
            if (launched.StatusCode != HttpStatusCode.Accepted) throw new InvalidOperationException($"launch answered {(int)launched.StatusCode}");
            using var run = JsonDocument.Parse(await launched.Content.ReadAsStringAsync());
            var runId = run.RootElement.GetProperty("run-id").GetGuid();
            var jobId = run.RootElement.GetProperty("instances")[0].GetProperty("platform-job-id").GetString()!;
            await Task.Delay(400); // ACTIVE on the fake, and a little time like any real caller's

            var outcome = client.GetAsync($"{service.Url}/v1/runs/{runId}/outcome?wait=60");
            await Task.Delay(150); // the long-poll is waiting
            var canceledAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            using (var cancel = await client.PostAsync($"{service.Url}/v1/runs/{runId}/cancel", null))
            {
                if (cancel.StatusCode != HttpStatusCode.Accepted) throw new InvalidOperationException($"cancel answered {(int)cancel.StatusCode}");
            }
            using var answer = await outcome;
            var wokeAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            if (answer.StatusCode != HttpStatusCode.UnprocessableEntity)
                throw new InvalidOperationException($"the outcome answered {(int)answer.StatusCode}, not 422 run-canceled");
            var written = await database.ScalarAsync<double>(
                "SELECT extract(epoch FROM finished_at) * 1000 FROM streamsets.run WHERE run_id = @runId AND state = 'CANCELED'", new { runId });
            var stopped = hub.Jobs.Find(jobId)!.StoppedAt!.Value;
            cancelToCanceled.Add(wokeAt - canceledAt);
            stopToWrite.Add(written - stopped);
            writeToWake.Add(wokeAt - written);
        }
        return new StopsRun(stopDelay, Percentiles.Of(cancelToCanceled), Percentiles.Of(stopToWrite), Percentiles.Of(writeToWake));
    }
}

/// <summary>One pass of the stops scenario, with the fake stopping jobs within <paramref name="StopDelay"/>.</summary>
internal sealed record StopsRun(TimeSpan StopDelay, Percentiles CancelToCanceledMs, Percentiles StopToWriteMs, Percentiles WriteToWakeMs);
