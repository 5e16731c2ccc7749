namespace JobTemplateService.Tests;

/// <summary>The create call's answer is paired with the instances by the jobs' parameters, never by position.</summary>
public sealed class ControlHubPairingTests
{
    [Fact]
    public async Task JobsAnsweredInReverseOrderArePairedWithTheInstanceThatAskedForThem()
    {
        await using var app = await TestApp.StartAsync();
        app.ControlHub.OnCreate = _ => CreateAnswer.OkInReverseOrder();
        var instances = Instances("London", "Phoenix", "Oslo");

        var started = await app.Service<ControlHubPlatform>().StartAsync(Request(instances), default);

        Assert.Equal(instances.Select(i => i.InstanceId), started.Select(s => s.InstanceId));
        Assert.All(instances.Zip(started), pair =>
            Assert.Equal(pair.First.Parameters["CITY"], app.ControlHub.Job(pair.Second.JobId).Parameters["CITY"]));
        Assert.All(started, s => Assert.Equal(app.ControlHub.Job(s.JobId).Name, s.Name));
    }

    [Fact]
    public async Task InstancesWithIdenticalParametersEachGetTheirOwnJob()
    {
        await using var app = await TestApp.StartAsync();
        app.ControlHub.OnCreate = _ => CreateAnswer.OkInReverseOrder();
        var instances = Instances("London", "London", "Phoenix");

        var started = await app.Service<ControlHubPlatform>().StartAsync(Request(instances), default);

        Assert.Equal(3, started.Select(s => s.JobId).Distinct().Count());
        Assert.Equal("Phoenix", app.ControlHub.Job(started[2].JobId).Parameters["CITY"]);
    }

    [Fact]
    public async Task AnAnswerMissingAJobIsAnUnclearOutcomeNotAGuess()
    {
        await using var app = await TestApp.StartAsync();
        app.ControlHub.OnCreate = _ => CreateAnswer.OkWithoutLastItem();

        var failure = await Record.ExceptionAsync(() => app.Service<ControlHubPlatform>().StartAsync(Request(Instances("London", "Phoenix")), default));

        Assert.NotNull(failure);
        Assert.IsNotType<PlatformRejectedException>(failure);
        Assert.IsNotType<PlatformUnavailableException>(failure);
        Assert.Equal(2, app.ControlHub.Jobs.Count);
    }

    [Fact]
    public async Task AJobMatchingTwoDifferentParameterSetsIsAnUnclearOutcome()
    {
        await using var app = await TestApp.StartAsync();
        var instances = new[]
        {
            new StartInstance(Guid.NewGuid(), 1, 0, new Dictionary<string, string> { ["CITY"] = "London" }),
            new StartInstance(Guid.NewGuid(), 1, 1, new Dictionary<string, string> { ["CITY"] = "London", ["UNITS"] = "metric" }),
        };

        var failure = await Record.ExceptionAsync(() => app.Service<ControlHubPlatform>().StartAsync(Request(instances), default));

        Assert.IsType<InvalidOperationException>(failure);
        Assert.Contains("paired", failure.Message);
    }

    private static StartInstance[] Instances(params string[] cities) =>
        cities.Select((c, i) => new StartInstance(Guid.NewGuid(), 1, i, new Dictionary<string, string> { ["CITY"] = c })).ToArray();

    private static StartRequest Request(IReadOnlyList<StartInstance> instances) =>
        new(Guid.NewGuid(), RunHelpers.TemplateId, "COUNTER", null, TimeSpan.FromHours(4), [], instances);
}
