using System.Diagnostics;

namespace JobTemplateService.Tests;

public sealed class MonitorMaxWaitTests
{
    [Fact]
    public async Task MonitorForceStopsJobAfterMaxWaitAndEndsItTimedOut()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.TemplateAsync("http", "gcs", RunHelpers.TemplateId,
            extraColumns: ", max_wait", extraValues: ", interval '1 second'");
        app.ControlHub.NextJobs(JobScript.RunsForever());
        var clock = Stopwatch.StartNew();
        var launched = await app.Client.LaunchAsync("http", "gcs", "London");
        var jobId = launched.Instances[0].PlatformJobId!;

        await Task.Delay(TimeSpan.FromMilliseconds(Math.Max(0, 1_300 - clock.ElapsedMilliseconds)));
        var run = await app.RunToCompletionAsync(launched.RunId);
        var rows = await app.Database.MetricsRowsAsync(launched.RunId);

        Assert.True(app.ControlHub.Job(jobId).ForceStopped);
        Assert.Single(app.ControlHub.Calls("POST", "/forceStop"));
        Assert.Empty(app.ControlHub.Calls("POST", "/stop"));
        var instance = Assert.Single(run.Instances);
        Assert.Equal((RunStates.TimedOut, InstanceStates.TimedOut), (run.State, instance.State));
        Assert.Contains("max wait", instance.Error);
        var row = Assert.Single(rows);
        Assert.Equal((false, InstanceStates.TimedOut), (row.SuccessfulRun, row.FinalState));
        Assert.Equal((5L, 5L, 0L), (row.InputRecordCount, row.OutputRecordCount, row.ErrorRecordCount));
    }

    [Fact]
    public async Task MonitorLeavesJobRunningBeforeItsMaxWait()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.TemplateAsync("http", "gcs", RunHelpers.TemplateId,
            extraColumns: ", max_wait", extraValues: ", interval '1 hour'");
        app.ControlHub.NextJobs(JobScript.RunsForever());
        var launched = await app.Client.LaunchAsync("http", "gcs", "London");

        for (var pass = 0; pass < 3; pass++) await app.MonitorPassAsync();
        var run = await app.GetRunAsync(launched.RunId);

        Assert.Equal((RunStates.Running, InstanceStates.Running), (run.State, run.Instances[0].State));
        Assert.False(app.ControlHub.Job(launched.Instances[0].PlatformJobId!).ForceStopped);
        Assert.Empty(app.ControlHub.Calls("POST", "/forceStop"));
        Assert.Empty(await app.Database.MetricsRowsAsync(launched.RunId));
    }
}
