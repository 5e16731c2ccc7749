using System.Diagnostics;

namespace JobTemplateService.Tests;

/// <summary>
/// Live metrics on the local platform: each JTS_METRICS line a job prints is its counts so far
/// (the last is final), seen under live-metrics while it runs and kept as snapshots; malformed
/// lines are ignored with a warning in its log. Criteria, stalls and streaming stops as on Control Hub.
/// </summary>
public sealed class LocalLiveMetricsTests
{
    private const string Progress = """
        echo "JTS_METRICS input=10 output=9 errors=1"; sleep 1.5
        echo "JTS_METRICS input=20 output=18 errors=2"; sleep 1.5
        echo "JTS_METRICS input=30 output=27 errors=3"; sleep 4
        """;

    [Fact]
    public async Task EachMetricsLineIsTheCountsSoFarVisibleWhileItRunsAndKeptAsSnapshots()
    {
        await using var app = await StartAsync("progress", Progress, s => s["Metrics:SnapshotInterval"] = "00:00:00");
        var launched = await app.LaunchAsync(LocalJobs.Body("live-1"));

        var seen = await WaitForLiveAsync(app, launched.RunId, m => m.Input == 30);
        var run = await app.WaitForRunAsync(launched.RunId);
        var series = await app.SnapshotsAsync(launched.RunId);

        Assert.Equal((30L, 27L, 3L), (seen.Input, seen.Output, seen.Errors));
        Assert.Equal(InstanceStates.Succeeded, run.Instances[0].State);
        Assert.Null(run.Instances[0].LiveMetrics);
        Assert.Equal(30, run.Instances[0].Metrics!.InputRecordCount);
        Assert.Equal([10L, 20L, 30L], series.Snapshots.Select(s => s.Input).Distinct());
        Assert.Equal(series.Snapshots.OrderBy(s => s.At), series.Snapshots);
    }

    [Fact]
    public async Task MalformedMetricsLinesAreIgnoredWithAWarningInTheLogAndTheJobSucceeds()
    {
        await using var app = await StartAsync("sloppy", """
            echo "JTS_METRICS input=5 output=5 errors=0"
            echo "JTS_METRICS input=lots output=5"
            echo "JTS_METRICS"
            echo "JTS_METRICS input=-3"
            echo "JTS_METRICS input=99999999999999999999999"
            echo "JTS_METRICS_NOT_A_METRICS_LINE input=1"
            echo done
            """);
        var launched = await app.LaunchAsync(LocalJobs.Body("sloppy-1"));

        var run = await app.WaitForRunAsync(launched.RunId);
        var log = await app.ReadLogAsync(launched.RunId);
        var warnings = log.Lines.Where(l => l.Stream == "service").Select(l => l.Text).ToList();

        Assert.Equal((InstanceStates.Succeeded, null), (run.Instances[0].State, run.Instances[0].Error));
        Assert.Equal((5L, 5L, 0L), (run.Instances[0].Metrics!.InputRecordCount, run.Instances[0].Metrics!.OutputRecordCount,
            run.Instances[0].Metrics!.ErrorRecordCount));
        Assert.Equal(4, warnings.Count);
        Assert.All(warnings, w => Assert.StartsWith("jobtemplateservice: warning: line ", w));
        Assert.Contains(warnings, w => w.Contains("'input=lots'"));
    }

    [Fact]
    public async Task ALocalJobThatBreaksACriterionEndsFailedNamingIt()
    {
        await using var app = await StartAsync("empty", "echo \"JTS_METRICS input=0 output=0 errors=0\"");
        await app.Database.TemplateOptionsAsync("min_input_records = 1");
        var launched = await app.LaunchAsync(LocalJobs.Body("criteria-1"));

        var run = await app.WaitForRunAsync(launched.RunId);

        Assert.Equal(RunStates.Failed, run.State);
        Assert.Equal("input 0 < min-input-records 1", run.Instances[0].Error);
        Assert.Equal(("input 0 < min-input-records 1", false), (run.Instances[0].Metrics!.ErrorMessage, run.Instances[0].Metrics!.SuccessfulRun));
    }

    [Fact]
    public async Task ALocalJobWhoseCountsStopMovingIsMarkedStalled()
    {
        await using var app = await StartAsync("quiet", "echo \"JTS_METRICS input=3\"; sleep 30");
        await app.Database.TemplateOptionsAsync("stall_after = interval '1 second'");
        var launched = await app.LaunchAsync(LocalJobs.Body("stall-1"));

        var stalled = await WaitForInstanceAsync(app, launched.RunId, i => i.StalledSince is not null);
        await app.CancelAsync(launched.RunId);
        var run = await app.WaitForRunAsync(launched.RunId);

        Assert.Equal(InstanceStates.Running, stalled.State);
        Assert.Equal(3, stalled.LiveMetrics!.Input);
        Assert.Equal(RunStates.Canceled, run.State);
    }

    [Fact]
    public async Task ALocalJobThatStallsWithStallActionFailIsKilledAndEndsFailed()
    {
        await using var app = await StartAsync("hangs", "echo \"JTS_METRICS input=3\"; sleep 30");
        await app.Database.TemplateOptionsAsync("stall_after = interval '1 second', stall_action = 'fail'");
        var launched = await app.LaunchAsync(LocalJobs.Body("stall-2"));

        var clock = Stopwatch.StartNew();
        var run = await app.WaitForRunAsync(launched.RunId);

        Assert.Equal(RunStates.Failed, run.State);
        Assert.Equal("stalled: no records for 1 s", run.Instances[0].Error);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task ACanceledLocalStreamingJobIsAskedToStopAndACleanExitEndsItStopped()
    {
        await using var app = await StartAsync("stream", """
            trap 'echo "JTS_METRICS input=42 output=42 errors=0"; exit 0' TERM
            echo "JTS_METRICS input=1 output=1 errors=0"
            while :; do sleep 0.2; done
            """);
        await app.Database.TemplateOptionsAsync("kind = 'streaming'");
        var launched = await app.LaunchAsync(LocalJobs.Body("stream-1"));

        await app.WaitForLogLineAsync(launched.RunId, "JTS_METRICS input=1");
        await app.CancelAsync(launched.RunId);
        var run = await app.WaitForRunAsync(launched.RunId);

        Assert.Equal(RunStates.Stopped, run.State);
        Assert.Equal((InstanceStates.Stopped, null), (run.Instances[0].State, run.Instances[0].Error));
        Assert.Equal((42L, true), (run.Instances[0].Metrics!.InputRecordCount!.Value, run.Instances[0].Metrics!.SuccessfulRun));
    }

    private static async Task<MetricSnapshot> WaitForLiveAsync(TestApp app, Guid runId, Func<MetricSnapshot, bool> seen) =>
        (await WaitForInstanceAsync(app, runId, i => i.LiveMetrics is { } m && seen(m))).LiveMetrics!;

    private static async Task<InstanceResource> WaitForInstanceAsync(TestApp app, Guid runId, Func<InstanceResource, bool> done)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var instance = (await app.GetRunAsync(runId)).Instances[0];
            if (done(instance)) return instance;
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30) && !InstanceStates.IsTerminal(instance.State),
                $"instance {instance.State} after {clock.Elapsed.TotalSeconds:0.#} s, live {instance.LiveMetrics}, stalled {instance.StalledSince}");
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    private static async Task<TestApp> StartAsync(string name, string command, Action<Dictionary<string, string?>>? more = null)
    {
        var app = await TestApp.StartAsync(LocalJobs.Command(name, command, more));
        await app.Database.LocalTemplateAsync(name);
        return app;
    }
}
