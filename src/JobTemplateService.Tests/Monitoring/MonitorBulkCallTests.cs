using System.Text.Json.Nodes;

namespace JobTemplateService.Tests;

/// <summary>Stops and deletes of many instances go out as one bulk call; a delete that fails stays due until it succeeds.</summary>
public sealed class MonitorBulkCallTests
{
    [Fact]
    public async Task CancelOfARunOfManyInstancesSendsOneBulkStop()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.TemplateAsync("http", "gcs", RunHelpers.TemplateId);
        app.ControlHub.DefaultScript = JobScript.RunsForever();
        var launched = await app.Client.LaunchAsync("http", "gcs", "London", "Phoenix", "Oslo");

        using var response = await app.CancelAsync(launched.RunId);
        await app.MonitorPassAsync();

        var stop = Assert.Single(app.ControlHub.Calls("POST", "/jobs/stopJobs"));
        Assert.Equal(launched.Instances.Select(i => i.PlatformJobId).Order(), Ids(stop).Order());
        Assert.DoesNotContain(app.ControlHub.AllCalls, c => c.RequestMessage!.Path.EndsWith("/stop"));
        Assert.All(launched.Instances, i => Assert.True(app.ControlHub.Job(i.PlatformJobId!).StopRequested));
    }

    [Fact]
    public async Task InstancesFinishingTogetherAreDeletedWithOneBulkDeleteAfterTheirMetrics()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.TemplateAsync("http", "gcs", RunHelpers.TemplateId, deleteAfterCompletion: true);
        var launched = await app.Client.LaunchAsync("http", "gcs", "London", "Phoenix", "Oslo");

        var run = await app.RunToCompletionAsync(launched.RunId);
        var rows = await app.Database.MetricsRowsAsync(launched.RunId);

        Assert.Equal(RunStates.Succeeded, run.State);
        Assert.Equal(3, rows.Count);
        var delete = Assert.Single(app.ControlHub.Calls("POST", "/jobs/deleteJobs"));
        Assert.Equal(run.Instances.Select(i => i.PlatformJobId).Order(), Ids(delete).Order());
        Assert.DoesNotContain(app.ControlHub.AllCalls, c => c.RequestMessage!.Method == "DELETE");
        Assert.All(run.Instances, i => Assert.True(app.ControlHub.Job(i.PlatformJobId!).Deleted));
    }

    [Fact]
    public async Task ADeleteControlHubRefusesStaysPendingAndIsSentAgainOnALaterPass()
    {
        await using var app = await TestApp.StartAsync(settings =>
        {
            settings["ControlHubClient:ReadRetries"] = "0";
        });
        await app.Database.TemplateAsync("http", "gcs", RunHelpers.TemplateId, deleteAfterCompletion: true);
        var launched = await app.Client.LaunchAsync("http", "gcs", "London");
        var jobId = launched.Instances[0].PlatformJobId!;
        app.ControlHub.FailDeletes(500);

        var run = await app.RunToCompletionAsync(launched.RunId);
        var pendingAfterFailure = await CleanupPendingAsync(app, launched.RunId);
        await app.MonitorPassAsync();
        var pendingAfterSecondFailure = await CleanupPendingAsync(app, launched.RunId);
        app.ControlHub.FailDeletes(null);
        await app.MonitorPassAsync();

        Assert.Equal(RunStates.Succeeded, run.State);
        Assert.Equal((true, true), (pendingAfterFailure, pendingAfterSecondFailure));
        Assert.True(app.ControlHub.Job(jobId).Deleted);
        Assert.False(await CleanupPendingAsync(app, launched.RunId));
        Assert.True(app.ControlHub.Calls("DELETE", "/jobrunner/rest/v2/job/").Count >= 3);
    }

    private static Task<bool> CleanupPendingAsync(TestApp app, Guid runId) => app.Database.QuerySingleAsync<bool>(
        "SELECT cleanup_pending FROM streamsets.run_instance WHERE run_id = @runId", new { runId });

    private static List<string> Ids(WireMock.Logging.ILogEntry call) =>
        JsonNode.Parse(call.RequestMessage!.Body!)!.AsArray().Select(i => i!.GetValue<string>()).ToList();
}
