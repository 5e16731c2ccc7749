namespace JobTemplateService.Tests;

/// <summary>Stop and delete as the SDK does them: bulk calls for many jobs, DELETE /v2 where the job runner offers it.</summary>
public sealed class ControlHubStopDeleteTests
{
    [Fact]
    public async Task OneJobIsDeletedThroughV2WhenTheJobRunnerOffersItAndTheApiIsReadOnce()
    {
        await using var app = await TestApp.StartAsync();
        var platform = app.Service<ControlHubPlatform>();
        var started = await platform.StartJobsAsync("London", "Phoenix");

        await platform.DeleteAsync([started[0].JobId], default);
        await platform.DeleteAsync([started[1].JobId], default);

        Assert.Equal(2, app.ControlHub.Calls("DELETE", "/jobrunner/rest/v2/job/").Count);
        Assert.Single(app.ControlHub.Calls("GET", "/jobrunner/rest/swagger.json"));
        Assert.All(started, s => Assert.True(app.ControlHub.Job(s.JobId).Deleted));
    }

    [Fact]
    public async Task OneJobIsDeletedThroughV1WhenTheJobRunnerDoesNotOfferV2()
    {
        await using var app = await TestApp.StartAsync();
        app.ControlHub.OffersV2Delete = false;
        var platform = app.Service<ControlHubPlatform>();
        var jobId = (await platform.StartJobsAsync("London"))[0].JobId;

        await platform.DeleteAsync([jobId], default);

        Assert.Empty(app.ControlHub.Calls("DELETE", "/v2/"));
        Assert.Single(app.ControlHub.Calls("DELETE", "/jobrunner/rest/v1/job/"));
        Assert.True(app.ControlHub.Job(jobId).Deleted);
    }

    [Fact]
    public async Task ManyJobsAreDeletedAndStoppedWithOneBulkCallEach()
    {
        await using var app = await TestApp.StartAsync();
        var platform = app.Service<ControlHubPlatform>();
        var jobIds = (await platform.StartJobsAsync("London", "Phoenix", "Oslo")).Select(s => s.JobId).ToList();

        await platform.StopAsync(jobIds, force: false, default);
        await platform.StopAsync(jobIds, force: true, default);
        await platform.DeleteAsync(jobIds, default);

        Assert.Equal([jobIds, jobIds, jobIds], new[] { "/jobs/stopJobs", "/jobs/forceStopJobs", "/jobs/deleteJobs" }
            .Select(path => Ids(Assert.Single(app.ControlHub.Calls("POST", path)))));
        Assert.DoesNotContain(app.ControlHub.AllCalls, c => c.RequestMessage!.Method == "DELETE"
            || c.RequestMessage.Path.EndsWith("/stop") || c.RequestMessage.Path.EndsWith("/forceStop"));
        Assert.All(jobIds, id => Assert.Equal((true, true, true), (app.ControlHub.Job(id).StopRequested, app.ControlHub.Job(id).ForceStopped, app.ControlHub.Job(id).Deleted)));
    }

    [Fact]
    public async Task JobsAlreadyGoneCountAsStoppedAndDeletedWhileTheOthersAreStoppedAndDeleted()
    {
        await using var app = await TestApp.StartAsync();
        var platform = app.Service<ControlHubPlatform>();
        var jobIds = (await platform.StartJobsAsync("London", "Phoenix")).Select(s => s.JobId).ToList();
        app.ControlHub.Job(jobIds[0]).Deleted = true;

        var stop = await Record.ExceptionAsync(() => platform.StopAsync(jobIds, force: true, default));
        var delete = await Record.ExceptionAsync(() => platform.DeleteAsync(jobIds, default));

        Assert.Null(stop);
        Assert.Null(delete);
        Assert.True(app.ControlHub.Job(jobIds[1]).ForceStopped);
        Assert.True(app.ControlHub.Job(jobIds[1]).Deleted);
    }

    [Fact]
    public async Task ADeleteControlHubRefusesIsThrownSoTheCallerTriesAgain()
    {
        await using var app = await TestApp.StartAsync();
        var platform = app.Service<ControlHubPlatform>();
        var jobId = (await platform.StartJobsAsync("London"))[0].JobId;
        app.ControlHub.FailDeletes(400);

        var failure = await Record.ExceptionAsync(() => platform.DeleteAsync([jobId], default));

        Assert.Equal(400, Assert.IsType<ControlHubException>(failure).StatusCode);
        Assert.False(app.ControlHub.Job(jobId).Deleted);
    }

    [Fact]
    public async Task ProjectIsSentOnEveryJobRunnerCallButNotOnTimeseries()
    {
        await using var app = await TestApp.StartAsync(settings =>
        {
            settings["streamsets:project"] = "project-7";
        });
        var platform = app.Service<ControlHubPlatform>();
        var runId = Guid.NewGuid();
        var jobId = (await platform.StartJobsAsync(runId, "London"))[0].JobId;

        await platform.GetStatusesAsync([jobId], default);
        await platform.GetResultAsync(jobId, default);
        await platform.FindRunJobsAsync(RunHelpers.TemplateId, runId, default);
        await platform.StopAsync([jobId], force: true, default);
        await platform.DeleteAsync([jobId], default);

        var calls = app.ControlHub.AllCalls.Select(c => c.RequestMessage!).ToList();
        Assert.All(calls.Where(c => c.Path.StartsWith("/jobrunner/")), c => Assert.Equal("project-7", c.Query!["project"].Single()));
        Assert.All(calls.Where(c => c.Path.StartsWith("/timeseries/")), c => Assert.False(c.Query?.ContainsKey("project") == true));
        Assert.Contains(calls, c => c.Path.StartsWith("/timeseries/"));
        Assert.True(app.ControlHub.Job(jobId).Deleted);
    }

    private static List<string> Ids(WireMock.Logging.ILogEntry call) =>
        System.Text.Json.Nodes.JsonNode.Parse(call.RequestMessage!.Body!)!.AsArray().Select(i => i!.GetValue<string>()).ToList();
}
