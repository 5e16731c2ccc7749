using System.Net;
using System.Net.Http.Json;

namespace JobTemplateService.Tests;

/// <summary>
/// While the platform is being called, a launch's instances are its run's start intent, written
/// as instances once the platform has answered: readers, cancels, template limits and the
/// heartbeat see them as starting instances, and a monitor takes them over if the launch dies.
/// </summary>
public sealed class StartIntentTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task WhileThePlatformIsCalledTheRunReadsStartingWithEveryInstance()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        using var create = new HeldCreate(app);

        var launching = app.PostRawAsync("/v1/runs", Seed.TwoCityBody);
        await create.Entered.WaitAsync(Patience);
        var page = await app.Client.GetFromJsonAsync<RunPage>("/v1/runs?user-run-id=run-123", Json.Options);
        var during = await app.GetRunAsync(Assert.Single(page!.Runs).RunId);
        // A finished twin's clean-up asks this before stopping jobs it does not know: it must wait for these.
        var unsettled = await app.Service<InstanceRepository>().UnsettledCountAsync(during.RunId, CancellationToken.None);
        create.Release();
        using var response = await launching;
        var launched = (await response.Content.ReadFromJsonAsync<RunResource>(Json.Options))!;

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(RunStates.Starting, during.State);
        Assert.Equal(2, unsettled);
        Assert.Equal([0, 1], during.Instances.Select(i => i.Index));
        Assert.All(during.Instances, i => Assert.Equal((InstanceStates.Starting, (string?)null), (i.State, i.PlatformJobId)));
        Assert.Equal(launched.Instances.Select(i => i.InstanceId), during.Instances.Select(i => i.InstanceId));
        Assert.Equal(launched.Instances.Select(Parameters), during.Instances.Select(Parameters));
        Assert.Equal(RunStates.Running, launched.State);
        Assert.All(launched.Instances, i => Assert.Equal(InstanceStates.Running, i.State));
    }

    [Fact]
    public async Task ALaunchThatDiesWhileThePlatformStartsItsJobsIsTakenOverAndItsJobsAdoptedNotStartedAgain()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        using var create = new HeldCreate(app);

        var launching = app.PostRawAsync("/v1/runs", Seed.TwoCityBody);
        await create.Entered.WaitAsync(Patience);
        // The launching replica stops renewing its lease, as if it had died during the call; a monitor takes over.
        await app.Database.ExecuteAsync("UPDATE streamsets.run SET start_lease_expires_at = now() - interval '1 second'");
        var taken = await app.Service<InstanceRepository>().WriteExpiredIntentsAsync(100, CancellationToken.None);
        var runId = (await app.Client.GetFromJsonAsync<RunPage>("/v1/runs?user-run-id=run-123", Json.Options))!.Runs.Single().RunId;
        var takenOver = await app.GetRunAsync(runId);
        create.Release();
        using var response = await launching;
        var launched = (await response.Content.ReadFromJsonAsync<RunResource>(Json.Options))!;
        await app.ElapseReconcileWaitAsync();
        var run = await app.PassUntilAsync(runId, r => r.Instances.All(i => i.State == InstanceStates.Running));

        Assert.Equal(2, taken);
        Assert.All(takenOver.Instances, i => Assert.Equal((InstanceStates.Starting, (string?)null), (i.State, i.PlatformJobId)));
        Assert.Equal(2, await app.Database.QuerySingleAsync<long>(
            "SELECT count(*) FROM streamsets.run_instance WHERE run_id = @runId AND launch_attempts = 1", new { runId }));
        Assert.Equal(1, app.ControlHub.CreateCalls);
        Assert.Equal(RunStates.Running, run.State);
        Assert.Equal(launched.Instances.Select(i => i.InstanceId), run.Instances.Select(i => i.InstanceId));
        Assert.Equal(app.ControlHub.Jobs.Select(j => j.Id).Order(), run.Instances.Select(i => i.PlatformJobId).Order());
        Assert.All(run.Instances, i => Assert.Equal(i.Parameters["CITY"], app.ControlHub.Job(i.PlatformJobId!).Parameters["CITY"]));
    }

    [Fact]
    public async Task TheHeartbeatRenewsTheStartLeaseSoALongCallIsNotTakenOver()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        using var create = new HeldCreate(app);

        var launching = app.PostRawAsync("/v1/runs", Seed.TwoCityBody);
        await create.Entered.WaitAsync(Patience);
        // Its lease about to run out, as after a long wait for the platform.
        await app.Database.ExecuteAsync("UPDATE streamsets.run SET start_lease_expires_at = now() + interval '1 millisecond'");
        await app.Service<ReplicaHeartbeat>().RunOnceAsync(CancellationToken.None);
        var renewedFor = await app.Database.QuerySingleAsync<double>(
            "SELECT extract(epoch FROM start_lease_expires_at - now()) FROM streamsets.run WHERE start_intent IS NOT NULL");
        await Task.Delay(10);
        await app.MonitorPassAsync();
        create.Release();
        using var response = await launching;
        var launched = (await response.Content.ReadFromJsonAsync<RunResource>(Json.Options))!;

        Assert.True(renewedFor > 5, $"renewed for {renewedFor} s");
        Assert.Equal(RunStates.Running, launched.State);
        var run = await app.GetRunAsync(launched.RunId);
        Assert.All(run.Instances, i => Assert.Equal(InstanceStates.Running, i.State));
        Assert.Equal(launched.Instances.Select(i => i.PlatformJobId), run.Instances.Select(i => i.PlatformJobId));
        Assert.Equal(1, app.ControlHub.CreateCalls);
    }

    [Fact]
    public async Task ACancelWhileThePlatformIsCalledStopsTheJobsOnceTheyAreRecorded()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        app.ControlHub.DefaultScript = JobScript.RunsForever();
        using var create = new HeldCreate(app);

        var launching = app.PostRawAsync("/v1/runs", Seed.TwoCityBody);
        await create.Entered.WaitAsync(Patience);
        var runId = (await app.Client.GetFromJsonAsync<RunPage>("/v1/runs?user-run-id=run-123", Json.Options))!.Runs.Single().RunId;
        using var cancel = await app.CancelAsync(runId);
        var accepted = (await cancel.Content.ReadFromJsonAsync<RunResource>(Json.Options))!;
        create.Release();
        using var response = await launching;
        var run = await app.RunToCompletionAsync(runId);

        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Assert.All(accepted.Instances, i => Assert.Equal(InstanceStates.Starting, i.State));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(RunStates.Canceled, run.State);
        Assert.All(run.Instances, i => Assert.Equal(InstanceStates.Canceled, i.State));
        Assert.Equal(2, app.ControlHub.Jobs.Count);
        Assert.All(app.ControlHub.Jobs, j => Assert.True(j.StopRequested));
    }

    [Fact]
    public async Task ATemplateLimitCountsTheInstancesALaunchIsStarting()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.TemplateAsync("http", "gcs", Seed.ExampleTemplateId,
            extraColumns: ", max_concurrent_instances", extraValues: ", 2");
        app.ControlHub.DefaultScript = JobScript.RunsForever();
        using var create = new HeldCreate(app, calls: 1);

        var first = app.PostRawAsync("/v1/runs", Seed.TwoCityBody);
        await create.Entered.WaitAsync(Patience);
        var second = await app.LaunchAsync(LaunchBodies.Body(userRunId: "run-2", sets: [LaunchBodies.City("Oslo", "NO")]));
        create.Release();
        using var response = await first;
        var launched = (await response.Content.ReadFromJsonAsync<RunResource>(Json.Options))!;

        Assert.Equal([InstanceStates.Running, InstanceStates.Running], launched.Instances.Select(i => i.State));
        Assert.Equal(InstanceStates.Queued, Assert.Single(second.Instances).State);
        Assert.Equal(1, app.ControlHub.CreateCalls);
    }

    private static string Parameters(InstanceResource instance) =>
        string.Join(", ", instance.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));

    /// <summary>Holds Control Hub's answer to the first create calls until released: a launch caught mid-call.</summary>
    private sealed class HeldCreate : IDisposable
    {
        private readonly TaskCompletionSource entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ManualResetEventSlim released = new();
        private int remaining;

        public HeldCreate(TestApp app, int calls = int.MaxValue)
        {
            remaining = calls;
            app.ControlHub.OnCreate = _ =>
            {
                if (Interlocked.Decrement(ref remaining) < 0) return CreateAnswer.Ok;
                entered.TrySetResult();
                released.Wait(Patience);
                return CreateAnswer.Ok;
            };
        }

        public Task Entered => entered.Task;

        public void Release() => released.Set();

        public void Dispose()
        {
            released.Set();
            released.Dispose();
        }
    }
}
