using System.Net;

namespace JobTemplateService.Tests;

/// <summary>
/// A template's max_concurrent_instances: instances over it wait QUEUED and start oldest first as
/// capacity frees, and concurrent launches (on one replica or two) never exceed it together.
/// </summary>
public sealed class ConcurrencyLimitTests
{
    [Fact]
    public async Task InstancesOverTheLimitWaitQueuedInTheRunResourceAndAreNotCreated()
    {
        await using var app = await StartAsync(limit: 2);

        var launched = await app.LaunchAsync(Body("r1", "London", "Paris", "Lyon"));
        var fetched = await app.GetRunAsync(launched.RunId);

        Assert.Equal(["RUNNING", "RUNNING", "QUEUED"], launched.Instances.Select(i => i.State));
        Assert.Equal(["RUNNING", "RUNNING", "QUEUED"], fetched.Instances.Select(i => i.State));
        Assert.Null(fetched.Instances[2].PlatformJobId);
        Assert.Equal(RunStates.Running, fetched.State);
        Assert.Equal(2, app.ControlHub.Jobs.Count);
        Assert.Equal(2, app.ControlHub.CreateBodies.Single()["runtimeParametersList"]!.AsArray().Count);
    }

    [Fact]
    public async Task AQueuedInstanceStartsOnTheMonitorPassAfterARunningOneFinishes()
    {
        await using var app = await StartAsync(limit: 2);
        app.ControlHub.NextJobs(JobScript.Succeeds());
        var runId = (await app.LaunchAsync(Body("r1", "London", "Paris", "Lyon"))).RunId;
        var afterFinish = await app.PassUntilAsync(runId, r => r.Instances[0].State == InstanceStates.Succeeded);

        await app.MonitorPassAsync();
        var run = await app.GetRunAsync(runId);

        Assert.Equal(["SUCCEEDED", "RUNNING", "QUEUED"], afterFinish.Instances.Select(i => i.State));
        Assert.Equal(["SUCCEEDED", "RUNNING", "RUNNING"], run.Instances.Select(i => i.State));
        Assert.Equal(app.ControlHub.Jobs.Last().Id, run.Instances[2].PlatformJobId);
        Assert.Equal("Lyon", app.ControlHub.Jobs.Last().Parameters["CITY"]);
        Assert.Equal(2, app.ControlHub.CreateCalls);
        Assert.Equal(2L, await app.Database.LiveInstancesAsync());
    }

    [Fact]
    public async Task QueuedInstancesStartOldestFirstAcrossRuns()
    {
        await using var app = await StartAsync(limit: 1);
        app.ControlHub.NextJobs(JobScript.Succeeds());
        var first = (await app.LaunchAsync(Body("first", "London"))).RunId;
        var second = (await app.LaunchAsync(Body("second", "Paris"))).RunId;
        var third = (await app.LaunchAsync(Body("third", "Lyon"))).RunId;
        await app.PassUntilAsync(first, r => r.State == RunStates.Succeeded);

        await app.MonitorPassAsync();

        Assert.Equal(RunStates.Succeeded, (await app.GetRunAsync(first)).State);
        Assert.Equal(InstanceStates.Running, (await app.GetRunAsync(second)).Instances[0].State);
        Assert.Equal(InstanceStates.Queued, (await app.GetRunAsync(third)).Instances[0].State);
        Assert.Equal(["London", "Paris"], app.ControlHub.Jobs.Select(j => j.Parameters["CITY"]));
    }

    [Fact]
    public async Task ParallelLaunchesNeverRunMoreInstancesThanTheLimit()
    {
        await using var app = await StartAsync(limit: 3);
        await ControlHubSimulator.WarmUpAsync();
        using var sampler = new LiveInstanceSampler(app.Database);

        var responses = await Task.WhenAll(Enumerable.Range(1, 10).Select(i => app.PostJsonAsync("/v1/runs", Body($"r{i}", "London"))));
        await app.MonitorPassAsync();
        var highest = await sampler.StopAsync();

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        Assert.InRange(highest, 1, 3);
        Assert.Equal(3L, await app.Database.LiveInstancesAsync());
        Assert.Equal(7L, await app.Database.ScalarAsync<long>("SELECT count(*) FROM streamsets.run_instance WHERE state = 'QUEUED'"));
        Assert.Equal(3, app.ControlHub.Jobs.Count);
    }

    [Fact]
    public async Task TwoReplicasLaunchingAtOnceTogetherRespectTheLimit()
    {
        await using var first = await StartAsync(limit: 3);
        await using var second = await TestApp.StartAsync(
            s => s["streamsets:url"] = first.ControlHub.Url, database: first.Database);
        await ControlHubSimulator.WarmUpAsync();
        using var sampler = new LiveInstanceSampler(first.Database);

        var responses = await Task.WhenAll(Enumerable.Range(1, 10).Select(i =>
            (i % 2 == 0 ? first : second).PostJsonAsync("/v1/runs", Body($"r{i}", "London"))));
        await Task.WhenAll(first.MonitorPassAsync(), second.MonitorPassAsync());
        var highest = await sampler.StopAsync();

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        Assert.InRange(highest, 1, 3);
        Assert.Equal(3L, await first.Database.LiveInstancesAsync());
        Assert.Equal(3, first.ControlHub.Jobs.Count);
        Assert.Equal(0, second.ControlHub.CreateCalls);
    }

    private static async Task<TestApp> StartAsync(int limit)
    {
        var app = await TestApp.StartAsync();
        await app.Database.TemplateAsync("http", "gcs", Seed.ExampleTemplateId,
            extraColumns: ", max_concurrent_instances", extraValues: $", {limit}");
        app.ControlHub.DefaultScript = JobScript.RunsForever();
        return app;
    }

    private static System.Text.Json.Nodes.JsonObject Body(string userRunId, params string[] cities) =>
        LaunchBodies.Body(userRunId: userRunId, sets: cities.Select(c => LaunchBodies.City(c)).ToArray());

    /// <summary>Counts live instances in the table over and over while the test runs; remembers the highest count.</summary>
    private sealed class LiveInstanceSampler : IDisposable
    {
        private readonly CancellationTokenSource stop = new();
        private readonly Task<long> sampling;

        public LiveInstanceSampler(TestDatabase database) => sampling = Task.Run(async () =>
        {
            var highest = 0L;
            while (!stop.IsCancellationRequested)
            {
                highest = Math.Max(highest, await database.LiveInstancesAsync());
                await Task.Delay(10, CancellationToken.None);
            }
            return Math.Max(highest, await database.LiveInstancesAsync());
        });

        public async Task<long> StopAsync()
        {
            await stop.CancelAsync();
            return await sampling;
        }

        public void Dispose() => stop.Dispose();
    }
}
