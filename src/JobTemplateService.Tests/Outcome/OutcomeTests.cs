using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;

namespace JobTemplateService.Tests;

/// <summary>GET /v1/runs/{id}/outcome?wait=N: 200 succeeded, 202 + Retry-After still running, 422 ended badly.</summary>
public sealed class OutcomeTests
{
    [Fact]
    public async Task OutcomeAnswers200WithTheRunOnceItSucceeded()
    {
        await using var app = await StartAsync();
        var runId = (await app.LaunchAsync(LaunchBodies.Body())).RunId;
        await app.RunToCompletionAsync(runId);

        using var response = await app.OutcomeAsync(runId);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var run = (await response.Content.ReadFromJsonAsync<RunResource>(Json.Options))!;
        Assert.Equal((runId, RunStates.Succeeded), (run.RunId, run.State));
        Assert.Equal(InstanceStates.Succeeded, Assert.Single(run.Instances).State);
    }

    [Fact]
    public async Task OutcomeWithoutWaitAnswers202AndRetryAfterAtOnceWhileTheRunIsRunning()
    {
        await using var app = await StartAsync(JobScript.RunsForever());
        var runId = (await app.LaunchAsync(LaunchBodies.Body())).RunId;
        var clock = Stopwatch.StartNew();

        using var response = await app.OutcomeAsync(runId, wait: 0);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1.5), $"wait=0 took {clock.Elapsed}");
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        Assert.Equal($"/v1/runs/{runId}/outcome", response.Headers.Location?.OriginalString);
        Assert.Equal(RunStates.Running, (await response.Content.ReadFromJsonAsync<RunResource>(Json.Options))!.State);
    }

    [Fact]
    public async Task OutcomeWaitsTheRequestedSecondsBeforeAnswering202()
    {
        await using var app = await StartAsync(JobScript.RunsForever());
        var runId = (await app.LaunchAsync(LaunchBodies.Body())).RunId;
        var clock = Stopwatch.StartNew();

        using var response = await app.OutcomeAsync(runId, wait: 2);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.9), TimeSpan.FromSeconds(15));
        Assert.Equal(TimeSpan.FromSeconds(2), response.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task WaitingOutcomeAnswersAsSoonAsTheRunFinishesDuringTheWait()
    {
        await using var app = await StartAsync();
        var runId = (await app.LaunchAsync(LaunchBodies.Body())).RunId;
        var clock = Stopwatch.StartNew();
        var outcome = app.OutcomeAsync(runId, wait: 30);
        await app.WaitUntilWaitingAsync(runId, TimeSpan.FromSeconds(20));
        var finishedBeforeCompletion = outcome.IsCompleted;

        var run = await Task.Run(() => app.RunToCompletionAsync(runId));
        var finishedAt = clock.Elapsed;
        using var response = await outcome;

        Assert.False(finishedBeforeCompletion);
        Assert.Equal(RunStates.Succeeded, run.State);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(clock.Elapsed - finishedAt < TimeSpan.FromSeconds(5),
            $"the run finished at {finishedAt} but the outcome came at {clock.Elapsed}");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(25), $"the outcome took {clock.Elapsed} of its 30 s");
    }

    [Fact]
    public async Task OutcomeOfAFailedRunIs422NamingTheFailedInstanceAndItsError()
    {
        await using var app = await StartAsync(JobScript.ForceStopped());
        var runId = (await app.LaunchAsync(LaunchBodies.Body(sets: [LaunchBodies.City("London")]))).RunId;
        var run = await app.RunToCompletionAsync(runId);

        using var response = await app.OutcomeAsync(runId, wait: 5);

        var problem = await response.ReadProblemAsync(HttpStatusCode.UnprocessableEntity, "/problems/run-failed");
        var instance = Assert.Single(run.Instances);
        Assert.Equal(RunStates.Failed, problem.GetProperty("state").GetString());
        Assert.Contains(instance.Name ?? instance.PlatformJobId!, problem.GetProperty("detail").GetString());
        Assert.Contains(JobScript.ForceStopMessage, problem.GetProperty("detail").GetString());
        var named = Assert.Single(problem.GetProperty("instances").EnumerateArray().ToList());
        Assert.Equal((instance.PlatformJobId, "FAILED", JobScript.ForceStopMessage),
            (named.GetProperty("platform-job-id").GetString(), named.GetProperty("state").GetString(), named.GetProperty("error").GetString()));
    }

    [Fact]
    public async Task OutcomeOfACanceledRunIs422RunCanceled()
    {
        await using var app = await StartAsync(JobScript.RunsForever());
        var runId = (await app.LaunchAsync(LaunchBodies.Body())).RunId;
        using (var cancel = await app.CancelAsync(runId)) Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        await app.RunToCompletionAsync(runId);

        using var response = await app.OutcomeAsync(runId);

        var problem = await response.ReadProblemAsync(HttpStatusCode.UnprocessableEntity, "/problems/run-canceled");
        Assert.Equal("CANCELED", Assert.Single(problem.GetProperty("instances").EnumerateArray().ToList()).GetProperty("state").GetString());
    }

    [Fact]
    public async Task OutcomeOfARunPastItsMaxWaitIs422RunTimedOut()
    {
        await using var app = await StartAsync(JobScript.RunsForever());
        var runId = (await app.LaunchAsync(LaunchBodies.Body())).RunId;
        await app.Database.ExecuteAsync("UPDATE streamsets.run_instance SET deadline_at = now() - interval '1 second'");
        await app.RunToCompletionAsync(runId);

        using var response = await app.OutcomeAsync(runId);

        var problem = await response.ReadProblemAsync(HttpStatusCode.UnprocessableEntity, "/problems/run-timed-out");
        var named = Assert.Single(problem.GetProperty("instances").EnumerateArray().ToList());
        Assert.Equal("TIMED_OUT", named.GetProperty("state").GetString());
        Assert.Contains("max wait", named.GetProperty("error").GetString());
    }

    [Fact]
    public async Task OutcomeOfAnUnknownRunAnswers404()
    {
        await using var app = await StartAsync();
        var runId = Guid.NewGuid();

        using var response = await app.OutcomeAsync(runId, wait: 1);

        var problem = await response.ReadProblemAsync(HttpStatusCode.NotFound, "/problems/not-found");
        Assert.Contains(runId.ToString(), problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData(121)]
    [InlineData(-1)]
    public async Task OutcomeRejectsAWaitOutside0To120Seconds(int wait)
    {
        await using var app = await StartAsync(JobScript.RunsForever());
        var runId = (await app.LaunchAsync(LaunchBodies.Body())).RunId;

        using var response = await app.OutcomeAsync(runId, wait);

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest, "/problems/validation");
        Assert.Equal(["wait"], problem.ErrorKeys());
    }

    private static async Task<TestApp> StartAsync(JobScript? script = null)
    {
        var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        if (script is not null) app.ControlHub.DefaultScript = script;
        return app;
    }
}
