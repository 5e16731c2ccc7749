namespace JobTemplateService.Tests;

public sealed class MonitorRestartTests
{
    [Fact]
    public async Task RestartedServiceFinishesInstancesStartedBeforeTheRestart()
    {
        using var controlHub = new ControlHubSimulator();
        await using var database = await TestDatabase.CreateAsync();
        await database.TemplateAsync("http", "gcs", RunHelpers.TemplateId);
        controlHub.NextJobs(JobScript.Succeeds(activePolls: 2), JobScript.ForceStopped(300));
        RunResource beforeRestart;
        await using (var first = ServiceReplica.Start(database, controlHub))
        {
            var launched = await first.Client.LaunchAsync("http", "gcs", "London", "Phoenix");
            await first.MonitorPassAsync();
            beforeRestart = await first.Client.GetRunAsync(launched.RunId);
        }

        await using var second = ServiceReplica.Start(database, controlHub);
        for (var pass = 0; pass < 5; pass++) await second.MonitorPassAsync();
        var run = await second.Client.GetRunAsync(beforeRestart.RunId);
        var rows = await database.MetricsRowsAsync(beforeRestart.RunId);

        Assert.All(beforeRestart.Instances, i => Assert.Equal(InstanceStates.Running, i.State));
        Assert.Equal(RunStates.Failed, run.State);
        Assert.Equal([InstanceStates.Succeeded, InstanceStates.Failed], run.Instances.Select(i => i.State));
        Assert.Equal(2, rows.Count);
        Assert.Equal(1, controlHub.CreateCalls);
    }

    [Fact]
    public async Task ServiceStoppedMidPassHandsItsLeasesToTheNextReplica()
    {
        using var controlHub = new ControlHubSimulator();
        await using var database = await TestDatabase.CreateAsync();
        await database.TemplateAsync("http", "gcs", RunHelpers.TemplateId);
        controlHub.NextJobs(JobScript.Succeeds(activePolls: 1));
        var first = ServiceReplica.Start(database, controlHub);
        var launched = await first.Client.LaunchAsync("http", "gcs", "London");
        var held = await first.Service<LeaseRepository>().ClaimAsync(first.Service<ReplicaIdentity>().Id, 10, TimeSpan.FromMinutes(5), default);

        await first.DisposeAsync();
        await using var second = ServiceReplica.Start(database, controlHub);
        for (var pass = 0; pass < 3; pass++) await second.MonitorPassAsync();
        var run = await second.Client.GetRunAsync(launched.RunId);

        Assert.Single(held);
        Assert.Equal((RunStates.Succeeded, InstanceStates.Succeeded), (run.State, run.Instances[0].State));
        Assert.Single(await database.MetricsRowsAsync(launched.RunId));
    }
}
