using System.Diagnostics;

namespace JobTemplateService.Tests;

public sealed class ControlHubClientTests
{
    [Fact]
    public async Task EveryCallCarriesCredentialOrganizationAndCsrfHeadersAndAJsonContentType()
    {
        await using var app = await TestApp.StartAsync();
        var platform = app.Service<ControlHubPlatform>();
        var runId = Guid.NewGuid();
        var jobId = (await platform.StartJobsAsync(runId, "London"))[0].JobId;

        await platform.GetStatusesAsync([jobId], default);
        await platform.DescribeAsync([jobId], default);
        await platform.GetResultAsync(jobId, default);
        await platform.FindRunJobsAsync(RunHelpers.TemplateId, runId, default);
        await platform.StopAsync([jobId], force: false, default);
        await platform.StopAsync([jobId], force: true, default);
        await platform.DeleteAsync([jobId], default);

        var calls = app.ControlHub.AllCalls;
        // create, jobs (its re-read), status, jobs, job, history, record counts, list, stopJobs, forceStopJobs, swagger.json, delete
        Assert.Equal(12, calls.Count);
        Assert.All(calls, call =>
        {
            Assert.Equal(ControlHubSimulator.CredId, call.Header("X-SS-App-Component-Id"));
            Assert.Equal(ControlHubSimulator.CredToken, call.Header("X-SS-App-Auth-Token"));
            Assert.Equal(ControlHubSimulator.OrgId, call.Header("X-SS-Org-Id"));
            Assert.StartsWith("application/json", call.Header("Content-Type"));
            Assert.False(string.IsNullOrWhiteSpace(call.Header("X-Requested-By")));
            Assert.Equal("true", call.Header("X-SS-REST-CALL"));
            Assert.InRange(call.Status(), 200, 299);
        });
    }

    [Fact]
    public async Task OrgMovedIsFollowedWithSameMethodAndBodyAndRemembered()
    {
        await using var app = await TestApp.StartAsync();
        var jobId = (await app.Service<ControlHubPlatform>().StartJobsAsync("London"))[0].JobId;
        app.ControlHub.MoveOrganization();

        var statuses = await app.Service<ControlHubClient>().GetStatusesAsync([jobId], default);
        var firstCalls = app.ControlHub.AllCalls.Skip(2).ToList(); // after the create and its re-read
        var job = await app.Service<ControlHubClient>().GetJobAsync(jobId, default);
        var laterCalls = app.ControlHub.AllCalls.Skip(2 + firstCalls.Count).ToList();

        Assert.Contains(jobId, statuses.Keys);
        Assert.Equal([("POST", "/jobrunner/rest/v1/jobs/status", 308), ("POST", "/moved/jobrunner/rest/v1/jobs/status", 200)],
            firstCalls.Select(c => (c.RequestMessage!.Method, c.RequestMessage.Path, c.Status())));
        Assert.Equal(firstCalls[0].RequestMessage!.Body, firstCalls[1].RequestMessage!.Body);
        Assert.Equal(jobId, job.Id);
        var later = Assert.Single(laterCalls);
        Assert.Equal(("GET", 200), (later.RequestMessage!.Method, later.Status()));
        Assert.StartsWith("/moved/jobrunner/rest/v1/job/", later.RequestMessage.Path);
    }

    [Fact]
    public async Task OrgMoveLearnedOnACallWithAnEscapedJobIdIsRemembered()
    {
        await using var app = await TestApp.StartAsync();
        var jobId = (await app.Service<ControlHubPlatform>().StartJobsAsync("London"))[0].JobId;
        app.ControlHub.MoveOrganization();

        await app.Service<ControlHubClient>().GetJobAsync(jobId, default);
        var before = app.ControlHub.AllCalls.Count;
        await app.Service<ControlHubClient>().GetStatusesAsync([jobId], default);
        var laterCalls = app.ControlHub.AllCalls.Skip(before).ToList();

        Assert.True(laterCalls.Count == 1, $"expected one call straight to /moved, got {laterCalls.Describe()}");
        var later = Assert.Single(laterCalls);
        Assert.Equal(("/moved/jobrunner/rest/v1/jobs/status", 200), (later.RequestMessage!.Path, later.Status()));
    }

    [Fact]
    public async Task StatusReadsAreRetriedOnServiceUnavailable()
    {
        await using var app = await TestApp.StartAsync();
        var platform = app.Service<ControlHubPlatform>();
        var jobId = (await platform.StartJobsAsync("London"))[0].JobId;
        app.ControlHub.FailingStatusCalls = 2;

        var statuses = await platform.GetStatusesAsync([jobId], default);

        Assert.Contains(jobId, statuses.Keys);
        Assert.Equal([503, 503, 200], app.ControlHub.Calls("POST", "/jobs/status").Select(c => c.Status()));
    }

    [Fact]
    public async Task LaunchPostIsNeverRetried()
    {
        await using var app = await TestApp.StartAsync();
        app.ControlHub.OnCreate = _ => CreateAnswer.ServerErrorWithoutCreating();

        var failure = await Record.ExceptionAsync(() => app.Service<ControlHubPlatform>().StartJobsAsync("London"));

        var error = Assert.IsType<ControlHubException>(failure);
        Assert.Equal(500, error.StatusCode);
        Assert.Equal(1, app.ControlHub.CreateCalls);
        Assert.Empty(app.ControlHub.Jobs);
    }

    [Fact]
    public async Task SlowLaunchTimesOutWithAnUnknownOutcome()
    {
        await using var app = await TestApp.StartAsync(s => s["ControlHubClient:LaunchTimeout"] = "00:00:00.500");
        var platform = app.Service<ControlHubPlatform>();
        await platform.GetStatusesAsync([], default); // warm the connection: only the create should be slow
        var createsSeen = new List<DateTime>();
        app.ControlHub.OnCreate = _ =>
        {
            lock (createsSeen) createsSeen.Add(DateTime.UtcNow);
            return CreateAnswer.SlowAfterCreating(TimeSpan.FromSeconds(1.5));
        };

        var failure = await Record.ExceptionAsync(() => platform.StartJobsAsync("London"));
        // Creates run one at a time in the simulator: a retry would be let in once the first one answers.
        for (var wait = 0; wait < 50 && app.ControlHub.Jobs.Count == 0; wait++) await Task.Delay(100);
        await Task.Delay(500);

        Assert.NotNull(failure);
        Assert.IsNotType<PlatformRejectedException>(failure);
        Assert.IsNotType<PlatformUnavailableException>(failure);
        Assert.Single(createsSeen);
        Assert.Single(app.ControlHub.Jobs); // Control Hub did create it: the outcome really is unknown
    }

    [Fact]
    public async Task SlowStatusReadTimesOut()
    {
        await using var app = await TestApp.StartAsync(s =>
        {
            s["ControlHubClient:ReadTimeout"] = "00:00:00.500";
            s["ControlHubClient:ReadRetries"] = "0";
        });
        app.ControlHub.SlowStatusCalls(TimeSpan.FromSeconds(5));
        var clock = Stopwatch.StartNew();

        var failure = await Record.ExceptionAsync(() => app.Service<ControlHubPlatform>().GetStatusesAsync(["some-job"], default));

        Assert.NotNull(failure);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4.5), $"took {clock.Elapsed}, the answer came after 5 s");
    }
}
