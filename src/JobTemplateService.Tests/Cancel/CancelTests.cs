using System.Net;
using System.Net.Http.Json;

namespace JobTemplateService.Tests;

/// <summary>POST /v1/runs/{id}/cancel: stop, then force-stop after the grace; instances end CANCELED with their metrics.</summary>
public sealed class CancelTests
{
    [Fact]
    public async Task CancelOfARunningRunSendsStopAndTheInstanceEndsCanceledWithItsMetrics()
    {
        await using var app = await StartAsync();
        var launched = await app.LaunchAsync(LaunchBodies.Body());
        var jobId = Assert.Single(launched.Instances).PlatformJobId!;

        using var response = await app.CancelAsync(launched.RunId);
        var accepted = (await response.Content.ReadFromJsonAsync<RunResource>(Json.Options))!;
        await app.MonitorPassAsync();
        var stopRequested = app.ControlHub.Job(jobId).StopRequested;
        var run = await app.RunToCompletionAsync(launched.RunId);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal($"/v1/runs/{launched.RunId}", response.Headers.Location?.OriginalString);
        Assert.Equal(launched.RunId, accepted.RunId);
        Assert.True(stopRequested);
        Assert.Equal(RunStates.Canceled, run.State);
        var instance = Assert.Single(run.Instances);
        Assert.Equal(InstanceStates.Canceled, instance.State);
        Assert.NotNull(instance.Metrics);
        Assert.False(instance.Metrics.SuccessfulRun);
        Assert.Equal(["CANCELED"], await app.Database.StringsAsync(
            $"SELECT final_state FROM streamsets.job_run_metrics WHERE platform_job_id = '{jobId}'"));
        Assert.Empty(app.ControlHub.Calls("POST", "/forceStop"));
    }

    [Fact]
    public async Task AJobThatIgnoresStopIsForceStoppedAfterTheGrace()
    {
        await using var app = await StartAsync();
        var launched = await app.LaunchAsync(LaunchBodies.Body());
        var job = app.ControlHub.Job(Assert.Single(launched.Instances).PlatformJobId!);
        job.IgnoresStop = true;

        using var response = await app.CancelAsync(launched.RunId);
        var run = await app.RunToCompletionAsync(launched.RunId);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Single(app.ControlHub.Calls("POST", "/stop"), c => c.RequestMessage!.Path.EndsWith("/jobs/stopJobs"));
        Assert.Single(app.ControlHub.Calls("POST", "/forceStop"));
        Assert.True(job.ForceStopped);
        Assert.Equal(RunStates.Canceled, run.State);
        Assert.Equal(InstanceStates.Canceled, Assert.Single(run.Instances).State);
        Assert.NotNull(run.Instances[0].Metrics);
    }

    [Fact]
    public async Task CancelOfAFinishedRunAnswers409RunFinished()
    {
        await using var app = await StartAsync(JobScript.Succeeds());
        var runId = (await app.LaunchAsync(LaunchBodies.Body())).RunId;
        await app.RunToCompletionAsync(runId);

        using var response = await app.CancelAsync(runId);

        var problem = await response.ReadProblemAsync(HttpStatusCode.Conflict, "/problems/run-finished");
        Assert.Contains("SUCCEEDED", problem.GetProperty("detail").GetString());
        Assert.Equal(RunStates.Succeeded, (await app.GetRunAsync(runId)).State);
        Assert.Empty(app.ControlHub.Calls("POST", "/stop"));
    }

    [Fact]
    public async Task CancelOfAnUnknownRunAnswers404()
    {
        await using var app = await StartAsync();

        using var response = await app.CancelAsync(Guid.NewGuid());

        await response.ReadProblemAsync(HttpStatusCode.NotFound, "/problems/not-found");
    }

    [Fact]
    public async Task AQueuedInstanceEndsCanceledWithoutEverBeingStarted()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.TemplateAsync("http", "gcs", Seed.ExampleTemplateId,
            extraColumns: ", max_concurrent_instances", extraValues: ", 1");
        app.ControlHub.DefaultScript = JobScript.RunsForever();
        var launched = await app.LaunchAsync(LaunchBodies.Body(sets: [LaunchBodies.City("London"), LaunchBodies.City("Paris", "FR")]));

        using var response = await app.CancelAsync(launched.RunId);
        var accepted = (await response.Content.ReadFromJsonAsync<RunResource>(Json.Options))!;
        var run = await app.RunToCompletionAsync(launched.RunId);

        Assert.Equal([InstanceStates.Running, InstanceStates.Queued], launched.Instances.Select(i => i.State));
        Assert.Equal(InstanceStates.Canceled, accepted.Instances[1].State);
        Assert.Equal(RunStates.Canceled, run.State);
        Assert.All(run.Instances, i => Assert.Equal(InstanceStates.Canceled, i.State));
        Assert.Null(run.Instances[1].PlatformJobId);
        Assert.Equal(1, app.ControlHub.CreateCalls);
        Assert.Single(app.ControlHub.Jobs);
    }

    private static async Task<TestApp> StartAsync(JobScript? script = null)
    {
        var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        app.ControlHub.DefaultScript = script ?? JobScript.RunsForever();
        return app;
    }
}
