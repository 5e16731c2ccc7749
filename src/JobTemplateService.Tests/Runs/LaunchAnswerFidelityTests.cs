using System.Net;
using System.Net.Http.Json;

namespace JobTemplateService.Tests;

/// <summary>
/// Launch answers against a Control Hub that follows the SDK's contract (tags found only by their
/// org-qualified id, answers in any order): however the create call's answer goes, each instance
/// ends with exactly one platform job, and the job carries that instance's parameters.
/// </summary>
public sealed class LaunchAnswerFidelityTests
{
    [Fact]
    public async Task LaunchWhoseAnswerIsLostAfterCreatingEndsWithExactlyOneJobPerInstance()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        app.ControlHub.OnCreate = _ => CreateAnswer.LostAfterCreating();

        using var response = await app.PostRawAsync("/v1/runs", Seed.TwoCityBody);
        var launched = (await response.Content.ReadFromJsonAsync<RunResource>(Json.Options))!;
        var run = await SettleAsync(app, launched.RunId);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.All(launched.Instances, i => Assert.Equal(InstanceStates.Starting, i.State));
        AssertOneJobPerInstance(app, run);
    }

    [Fact]
    public async Task LaunchAnsweredWithAServerErrorAfterCreatingEndsWithExactlyOneJobPerInstance()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        app.ControlHub.OnCreate = _ => CreateAnswer.ServerErrorAfterCreating();

        using var response = await app.PostRawAsync("/v1/runs", Seed.TwoCityBody);
        var launched = (await response.Content.ReadFromJsonAsync<RunResource>(Json.Options))!;
        var run = await SettleAsync(app, launched.RunId);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.All(launched.Instances, i => Assert.Equal(InstanceStates.Starting, i.State));
        AssertOneJobPerInstance(app, run);
    }

    [Fact]
    public async Task LaunchAnsweredInReverseOrderPairsEachJobWithItsOwnInstance()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        app.ControlHub.OnCreate = _ => CreateAnswer.OkInReverseOrder();

        using var response = await app.PostRawAsync("/v1/runs", Seed.TwoCityBody);
        var launched = (await response.Content.ReadFromJsonAsync<RunResource>(Json.Options))!;
        var run = await SettleAsync(app, launched.RunId);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.All(launched.Instances, i => Assert.Equal(InstanceStates.Running, i.State));
        Assert.All(launched.Instances, i => Assert.Equal(i.Parameters["CITY"], app.ControlHub.Job(i.PlatformJobId!).Parameters["CITY"]));
        AssertOneJobPerInstance(app, run);
    }

    [Fact]
    public async Task AnAnswerThatCannotBePairedLeavesTheInstancesStartingAndTheyAreAdoptedNotStartedAgain()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        app.ControlHub.OnCreate = _ => CreateAnswer.OkWithoutLastItem();

        using var response = await app.PostRawAsync("/v1/runs", Seed.TwoCityBody);
        var launched = (await response.Content.ReadFromJsonAsync<RunResource>(Json.Options))!;
        var run = await SettleAsync(app, launched.RunId);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.All(launched.Instances, i => Assert.Equal((InstanceStates.Starting, (string?)null), (i.State, i.PlatformJobId)));
        AssertOneJobPerInstance(app, run);
    }

    /// <summary>Monitor passes, with the wait between two searches let go by, so a wrong "not found" would start the instances again.</summary>
    private static async Task<RunResource> SettleAsync(TestApp app, Guid runId)
    {
        await app.MonitorPassAsync();
        await app.ElapseReconcileWaitAsync();
        await app.MonitorPassAsync();
        await app.MonitorPassAsync();
        return await app.GetRunAsync(runId);
    }

    private static void AssertOneJobPerInstance(TestApp app, RunResource run)
    {
        Assert.Equal(1, app.ControlHub.CreateCalls);
        Assert.Equal(run.Instances.Count, app.ControlHub.Jobs.Count);
        Assert.All(run.Instances, i => Assert.Contains(i.State, new[] { InstanceStates.Running, InstanceStates.Succeeded }));
        Assert.Equal(app.ControlHub.Jobs.Select(j => j.Id).Order(), run.Instances.Select(i => i.PlatformJobId).Order());
        Assert.All(run.Instances, i => Assert.Equal(i.Parameters["CITY"], app.ControlHub.Job(i.PlatformJobId!).Parameters["CITY"]));
    }
}
