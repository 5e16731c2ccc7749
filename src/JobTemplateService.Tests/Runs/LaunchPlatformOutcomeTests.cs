using System.Net;
using System.Net.Http.Json;

namespace JobTemplateService.Tests;

/// <summary>What a launch answers when Control Hub refuses, fails or is slow; unclear starts are reconciled, never re-posted blindly.</summary>
public sealed class LaunchPlatformOutcomeTests
{
    [Theory]
    [InlineData("/v1/runs")]
    [InlineData("/streamsets/job-template-runner")]
    public async Task LaunchAnswers502WithThePlatformsIssueWhenControlHubRejects(string path)
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        app.ControlHub.OnCreate = _ => CreateAnswer.Rejected("JOBRUNNER_123", "Job template is not valid");

        using var response = await app.PostRawAsync(path, Seed.TwoCityBody);

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadGateway, "/problems/platform-rejected");
        Assert.Equal(("JOBRUNNER_123", "Job template is not valid"),
            (problem.GetProperty("platform-code").GetString(), problem.GetProperty("platform-message").GetString()));
        Assert.Equal(1, app.ControlHub.CreateCalls);
    }

    [Fact]
    public async Task RejectedLaunchLeavesAFailedRunWithStartFailedInstances()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        app.ControlHub.OnCreate = _ => CreateAnswer.Rejected("JOBRUNNER_123", "Job template is not valid");
        using var launch = await app.PostRawAsync("/v1/runs", Seed.TwoCityBody);

        var page = await app.Client.GetFromJsonAsync<RunPage>("/v1/runs?user-run-id=run-123", Json.Options);
        var run = await app.GetRunAsync(Assert.Single(page!.Runs).RunId);

        Assert.Equal(HttpStatusCode.BadGateway, launch.StatusCode);
        Assert.Equal(RunStates.Failed, run.State);
        Assert.NotNull(run.FinishedAt);
        Assert.Equal(2, run.Instances.Count);
        Assert.All(run.Instances, i =>
        {
            Assert.Equal(InstanceStates.StartFailed, i.State);
            Assert.Null(i.PlatformJobId);
            Assert.Contains("JOBRUNNER_123", i.Error);
            Assert.Contains("Job template is not valid", i.Error);
        });
    }

    [Fact]
    public async Task ServerErrorAfterCreatingAnswers202StartingAndTheMonitorAdoptsTheJobsByRunTag()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        app.ControlHub.OnCreate = _ => CreateAnswer.ServerErrorAfterCreating();

        using var response = await app.PostRawAsync("/v1/runs", Seed.TwoCityBody);
        var launched = (await response.Content.ReadFromJsonAsync<RunResource>(Json.Options))!;
        var callsAtLaunch = app.ControlHub.CreateCalls;
        await app.MonitorPassAsync();
        var run = await app.GetRunAsync(launched.RunId);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(RunStates.Starting, launched.State);
        Assert.All(launched.Instances, i => Assert.Equal((InstanceStates.Starting, (string?)null), (i.State, i.PlatformJobId)));
        Assert.Equal(1, callsAtLaunch);
        Assert.Equal(1, app.ControlHub.CreateCalls);
        Assert.Equal(RunStates.Running, run.State);
        Assert.All(run.Instances, i => Assert.Equal(InstanceStates.Running, i.State));
        Assert.Equal(app.ControlHub.Jobs.Select(j => j.Id).Order(), run.Instances.Select(i => i.PlatformJobId).Order());
        Assert.All(run.Instances, i => Assert.Equal(i.Parameters["CITY"], app.ControlHub.Job(i.PlatformJobId!).Parameters["CITY"]));
    }

    [Fact]
    public async Task ServerErrorWithoutCreatingIsStartedExactlyOnceMoreByTheMonitor()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        var creates = 0;
        app.ControlHub.OnCreate = _ => Interlocked.Increment(ref creates) == 1 ? CreateAnswer.ServerErrorWithoutCreating() : CreateAnswer.Ok;

        using var response = await app.PostRawAsync("/v1/runs", Seed.TwoCityBody);
        var launched = (await response.Content.ReadFromJsonAsync<RunResource>(Json.Options))!;
        var callsAtLaunch = app.ControlHub.CreateCalls;
        await app.MonitorPassAsync();
        var callsAfterFirstSearch = app.ControlHub.CreateCalls;
        await app.ElapseReconcileWaitAsync();
        await app.MonitorPassAsync();
        await app.MonitorPassAsync();
        var run = await app.GetRunAsync(launched.RunId);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.All(launched.Instances, i => Assert.Equal(InstanceStates.Starting, i.State));
        Assert.Equal(1, callsAtLaunch);
        Assert.Equal(1, callsAfterFirstSearch);
        Assert.Equal(2, app.ControlHub.CreateCalls);
        Assert.Equal(2, app.ControlHub.Jobs.Count);
        Assert.All(app.ControlHub.Jobs, j => Assert.Contains($"jts-run-{launched.RunId:N}", j.Tags));
        Assert.All(run.Instances, i => Assert.Equal(InstanceStates.Running, i.State));
        Assert.Equal(app.ControlHub.Jobs.Select(j => j.Id).Order(), run.Instances.Select(i => i.PlatformJobId).Order());
        Assert.Equal(["London", "Phoenix"], app.ControlHub.CreateBodies[1]["runtimeParametersList"]!.AsArray()
            .Select(s => s!["CITY"]!.GetValue<string>()));
    }

    [Fact]
    public async Task SlowCreateAnswerBeyondTheLaunchTimeoutAnswers202StartingAndIsAdoptedLater()
    {
        await using var app = await TestApp.StartAsync(settings => settings["ControlHubClient:LaunchTimeout"] = "00:00:02");
        await app.Database.ExampleTemplateAsync();
        app.ControlHub.OnCreate = _ => CreateAnswer.SlowAfterCreating(TimeSpan.FromSeconds(4));

        using var response = await app.PostRawAsync("/v1/runs", Seed.TwoCityBody);
        var jobsWhenAnswered = app.ControlHub.Jobs.Count;
        var launched = (await response.Content.ReadFromJsonAsync<RunResource>(Json.Options))!;
        await app.ControlHub.WaitForJobsAsync(2, TimeSpan.FromSeconds(10));
        await app.MonitorPassAsync();
        var run = await app.GetRunAsync(launched.RunId);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(0, jobsWhenAnswered);
        Assert.All(launched.Instances, i => Assert.Equal(InstanceStates.Starting, i.State));
        Assert.Equal(1, app.ControlHub.CreateCalls);
        Assert.All(run.Instances, i => Assert.Equal(InstanceStates.Running, i.State));
        Assert.Equal(app.ControlHub.Jobs.Select(j => j.Id).Order(), run.Instances.Select(i => i.PlatformJobId).Order());
    }

    [Fact]
    public async Task JobsAPlatformCreatesAfterTheFirstSearchAreAdoptedNotStartedAgain()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        var deferred = new List<CreateCall>();
        app.ControlHub.OnCreate = call =>
        {
            deferred.Add(call);
            return CreateAnswer.ServerErrorWithoutCreating();
        };
        using var response = await app.PostRawAsync("/v1/runs", Seed.TwoCityBody);
        var runId = (await response.Content.ReadFromJsonAsync<RunResource>(Json.Options))!.RunId;
        await app.MonitorPassAsync();

        app.ControlHub.OnCreate = null;
        app.ControlHub.CreateLate(deferred[0]);
        await app.ElapseReconcileWaitAsync();
        await app.MonitorPassAsync();
        var run = await app.GetRunAsync(runId);

        Assert.Equal(1, app.ControlHub.CreateCalls);
        Assert.Equal(2, app.ControlHub.Jobs.Count);
        Assert.All(run.Instances, i => Assert.Equal(InstanceStates.Running, i.State));
        Assert.Equal(app.ControlHub.Jobs.Select(j => j.Id).Order(), run.Instances.Select(i => i.PlatformJobId).Order());
    }

    [Fact]
    public async Task JobsTheFirstCreateMakesAfterTheRestartAreStoppedAndDeletedOnceTheRunIsSettled()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        var deferred = new List<CreateCall>();
        app.ControlHub.OnCreate = call =>
        {
            if (deferred.Count > 0) return CreateAnswer.Ok;
            deferred.Add(call);
            return CreateAnswer.ServerErrorWithoutCreating();
        };
        using var response = await app.PostRawAsync("/v1/runs", Seed.TwoCityBody);
        var runId = (await response.Content.ReadFromJsonAsync<RunResource>(Json.Options))!.RunId;
        await app.MonitorPassAsync();
        await app.ElapseReconcileWaitAsync();
        await app.MonitorPassAsync(); // second empty search: started once more
        var attempts = await app.Database.QueryAsync<int>(
            "SELECT launch_attempts FROM streamsets.run_instance WHERE run_id = @runId", new { runId });
        app.ControlHub.CreateLate(deferred[0]); // the first create's jobs appear after all
        var twins = app.ControlHub.Jobs.Select(j => j.Id).ToList();

        var run = await app.RunToCompletionAsync(runId);
        var owned = run.Instances.Select(i => i.PlatformJobId!).ToHashSet();

        Assert.Equal([2, 2], attempts);
        Assert.Equal(2, app.ControlHub.CreateCalls);
        Assert.Equal(4, twins.Count);
        Assert.All(run.Instances, i => Assert.Equal(InstanceStates.Succeeded, i.State));
        var unowned = app.ControlHub.Jobs.Where(j => !owned.Contains(j.Id)).ToList();
        Assert.Equal(2, unowned.Count);
        Assert.All(unowned, j => Assert.Equal((true, true), (j.ForceStopped, j.Deleted)));
    }
}
