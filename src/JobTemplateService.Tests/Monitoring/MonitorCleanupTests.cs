namespace JobTemplateService.Tests;

public sealed class MonitorCleanupTests
{
    [Fact]
    public async Task MonitorDeletesJobOnlyAfterItsMetricsRowExists()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.TemplateAsync("http", "gcs", RunHelpers.TemplateId, deleteAfterCompletion: true);
        var rowsWhenDeleted = new List<long>();
        app.ControlHub.BeforeDelete(jobId => rowsWhenDeleted.Add(app.Database.QuerySingleAsync<long>(
            "SELECT count(*) FROM streamsets.job_run_metrics WHERE platform_job_id = @jobId", new { jobId }).GetAwaiter().GetResult()));
        var launched = await app.Client.LaunchAsync("http", "gcs", "London");
        var jobId = launched.Instances[0].PlatformJobId!;

        var run = await app.RunToCompletionAsync(launched.RunId);
        var rows = await app.Database.MetricsRowsAsync(launched.RunId);
        var cleanupPending = await app.Database.QuerySingleAsync<bool>(
            "SELECT cleanup_pending FROM streamsets.run_instance WHERE run_id = @RunId", new { launched.RunId });

        var calls = app.ControlHub.AllCalls.Select(e => (e.RequestMessage!.Method, e.RequestMessage.Path)).ToList();
        var lastMetricsRead = calls.FindLastIndex(c => c.Method == "GET" && c.Path.EndsWith("/recordCountsForAllRuns"));
        var delete = calls.FindIndex(c => c.Method == "DELETE");
        Assert.Equal(RunStates.Succeeded, run.State);
        Assert.True(app.ControlHub.Job(jobId).Deleted);
        Assert.Single(app.ControlHub.Calls("DELETE", "/jobrunner/rest/v2/job/"));
        Assert.True(lastMetricsRead >= 0 && delete > lastMetricsRead, $"metrics read at {lastMetricsRead}, delete at {delete}");
        Assert.Equal([1L], rowsWhenDeleted);
        Assert.Equal((12_482L, true), (Assert.Single(rows).InputRecordCount, rows[0].SuccessfulRun));
        Assert.False(cleanupPending);
        Assert.False(app.ControlHub.CreateBodies.Single()["deleteAfterCompletion"]!.GetValue<bool>());
    }

    [Fact]
    public async Task MonitorKeepsJobOnPlatformWhenTemplateDoesNotAskForDeletion()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.TemplateAsync("http", "gcs", RunHelpers.TemplateId, deleteAfterCompletion: false);
        var launched = await app.Client.LaunchAsync("http", "gcs", "London");

        var run = await app.RunToCompletionAsync(launched.RunId);

        Assert.Equal(RunStates.Succeeded, run.State);
        Assert.False(app.ControlHub.Job(launched.Instances[0].PlatformJobId!).Deleted);
        Assert.Empty(app.ControlHub.Calls("DELETE", "/jobrunner/"));
    }
}
