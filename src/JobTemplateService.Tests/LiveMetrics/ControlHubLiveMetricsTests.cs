using System.Net;
using System.Text.Json;

namespace JobTemplateService.Tests;

/// <summary>
/// Live metrics on Control Hub: the counts come with the bulk status the monitor reads anyway, are
/// shown under live-metrics while the instance runs, and kept as snapshots (at most one per
/// Metrics:SnapshotInterval of Control Hub's time); a status without counts costs one
/// recordCountsForAllRuns call per interval, never one per poll.
/// </summary>
public sealed class ControlHubLiveMetricsTests
{
    [Fact]
    public async Task CountsFromTheBulkStatusBecomeSnapshotsOldestFirstAndLiveMetricsWhileRunning()
    {
        await using var app = await StartAsync(JobScript.Progresses((0, 0, 0), (100, 95, 2), (250, 240, 3)));
        var launched = await app.LaunchAsync(LaunchBodies.Body());
        var jobId = launched.Instances[0].PlatformJobId!;

        await app.MonitorPassAsync();
        await app.MonitorPassAsync();
        await app.MonitorPassAsync();
        var running = (await app.GetRunAsync(launched.RunId)).Instances[0];
        var startTime = app.ControlHub.Job(jobId).StartTime;
        var run = await app.RunToCompletionAsync(launched.RunId);
        using var raw = await app.Client.GetAsync($"/v1/runs/{launched.RunId}/instances/0/metrics");
        var json = JsonDocument.Parse(await raw.Content.ReadAsStringAsync()).RootElement;
        var series = await app.SnapshotsAsync(launched.RunId);

        Assert.Equal(InstanceStates.Running, running.State);
        Assert.Equal(new MetricSnapshot(At(startTime, 3), 250, 240, 3), running.LiveMetrics);
        Assert.Null(running.StalledSince);
        Assert.Equal(InstanceStates.Succeeded, run.Instances[0].State);
        Assert.Null(run.Instances[0].LiveMetrics);
        Assert.Equal((250L, 240L, 3L), (run.Instances[0].Metrics!.InputRecordCount!.Value, run.Instances[0].Metrics!.OutputRecordCount!.Value,
            run.Instances[0].Metrics!.ErrorRecordCount!.Value));
        Assert.Equal(HttpStatusCode.OK, raw.StatusCode);
        Assert.Equal(["at", "errors", "input", "output"], json.GetProperty("snapshots")[0].EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal([new(At(startTime, 1), 0, 0, 0), new(At(startTime, 2), 100, 95, 2), new MetricSnapshot(At(startTime, 3), 250, 240, 3)],
            series.Snapshots);
        Assert.Equal(series.Snapshots, (await app.SnapshotsAsync(launched.RunId, run.Instances[0].InstanceId.ToString())).Snapshots);
        Assert.Null(series.Next);
        // The counts came with the status calls; the only record counts call is the completion's.
        Assert.Single(app.ControlHub.Calls("GET", "/recordCountsForAllRuns"));
    }

    [Fact]
    public async Task AtMostOneSnapshotPerIntervalOfControlHubsClock()
    {
        await using var app = await StartAsync(JobScript.Progresses((10, 10, 0), (20, 20, 0), (30, 30, 0), (40, 40, 0)),
            s => s["Metrics:SnapshotInterval"] = "00:02:00");
        var launched = await app.LaunchAsync(LaunchBodies.Body());
        var startTime = app.ControlHub.Job(launched.Instances[0].PlatformJobId!).StartTime;

        await app.RunToCompletionAsync(launched.RunId);
        var series = await app.SnapshotsAsync(launched.RunId);

        // Reported a minute apart: the first, then the one two minutes later.
        Assert.Equal([new(At(startTime, 1), 10, 10, 0), new MetricSnapshot(At(startTime, 3), 30, 30, 0)], series.Snapshots);
    }

    [Fact]
    public async Task AStatusWithoutCountsCostsOneRecordCountsCallPerSnapshotIntervalNotOnePerPoll()
    {
        await using var app = await StartAsync(JobScript.Progresses((10, 9, 1), (20, 18, 2), (30, 27, 3)) with { CountsInStatus = false });
        var launched = await app.LaunchAsync(LaunchBodies.Body());

        await app.MonitorPassAsync();
        await app.MonitorPassAsync();
        await app.MonitorPassAsync();
        var callsWhileRunning = app.ControlHub.Calls("GET", "/recordCountsForAllRuns").Count;
        var running = (await app.GetRunAsync(launched.RunId)).Instances[0];
        var run = await app.RunToCompletionAsync(launched.RunId);

        Assert.Equal(1, callsWhileRunning);
        Assert.Equal((10L, 9L, 1L), (running.LiveMetrics!.Input, running.LiveMetrics.Output, running.LiveMetrics.Errors));
        Assert.Single((await app.SnapshotsAsync(launched.RunId)).Snapshots);
        Assert.Equal(30, run.Instances[0].Metrics!.InputRecordCount);
    }

    [Fact]
    public async Task TwoReplicasReadingTheSameReportWriteOneSnapshot()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var first = await TestApp.StartAsync(s => s["Metrics:SnapshotInterval"] = "00:00:00", database: database);
        await using var second = await TestApp.StartAsync(s =>
        {
            s["Metrics:SnapshotInterval"] = "00:00:00";
            s["streamsets:url"] = first.ControlHub.Url;
        }, database: database);
        await database.ExampleTemplateAsync();
        first.ControlHub.DefaultScript = JobScript.Streams((5, 5, 0));
        var launched = await first.LaunchAsync(LaunchBodies.Body());

        Assert.Equal(1, await first.MonitorPassAsync());
        Assert.Equal(1, await second.MonitorPassAsync());

        Assert.Equal(2, first.ControlHub.Calls("POST", "/jobs/status").Count);
        Assert.Equal(1L, await database.ScalarAsync<long>(
            $"SELECT count(*) FROM streamsets.instance_metric_snapshot WHERE instance_id = '{launched.Instances[0].InstanceId}'"));
    }

    [Fact]
    public async Task RecordsProcessedCountPerTemplateAsReportedAndAtTheEnd()
    {
        await using var app = await StartAsync(JobScript.Progresses((100, 90, 1), (250, 240, 3)));
        var launched = await app.LaunchAsync(LaunchBodies.Body());

        await app.MonitorPassAsync();
        var afterFirstPoll = await app.ScrapeAsync();
        await app.RunToCompletionAsync(launched.RunId);
        var atEnd = await app.ScrapeAsync();

        const string series = "jts_records_processed_total{template=\"http-to-gcs\",records=";
        Assert.Equal(100, PrometheusText.Sample(afterFirstPoll, series + "\"input\"}"));
        Assert.Equal((250d, 240d, 3d), (PrometheusText.Sample(atEnd, series + "\"input\"}"), PrometheusText.Sample(atEnd, series + "\"output\"}"),
            PrometheusText.Sample(atEnd, series + "\"error\"}")));
        Assert.DoesNotContain(launched.RunId.ToString(), atEnd);
    }

    private static DateTime At(long startTime, int minute) => DateTime.UnixEpoch.AddMilliseconds(startTime + 60_000L * minute);

    private static async Task<TestApp> StartAsync(JobScript script, Action<Dictionary<string, string?>>? configure = null)
    {
        var app = await TestApp.StartAsync(configure);
        await app.Database.ExampleTemplateAsync();
        app.ControlHub.DefaultScript = script;
        return app;
    }
}
