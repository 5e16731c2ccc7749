using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace JobTemplateService.Tests;

/// <summary>
/// Unclear creates and dead replicas: Jobs are found again by their run label and adopted; a create
/// repeated for an instance meets its first Job (409 AlreadyExists) and adopts it. Never a twin.
/// </summary>
public sealed class KubernetesReconcileTests
{
    private static JsonObject[] TwoCities => [new() { ["CITY"] = "London" }, new() { ["CITY"] = "Phoenix" }];

    [Fact]
    public async Task ReplicaKilledMidLaunchLeavesNoTwinTheNextReplicaAdoptsItsJobAndStartsTheRestOnce()
    {
        await using var fake = await FakeKubernetes.StartAsync();
        using var controlHub = new ControlHubSimulator();
        await using var database = await TestDatabase.CreateAsync();
        await database.KubernetesTemplateAsync();
        fake.HoldNextCreateAnswer();
        var first = ServiceReplica.Start(database, controlHub, KubernetesJobs.Settings(fake, s =>
        {
            s["Monitor:HeartbeatInterval"] = "01:00:00"; // after its first beat, it never beats again: as good as dead
            s["Monitor:LeaseDuration"] = "03:00:00";
            s["Monitor:ReplicaTimeout"] = "02:00:00";
        }));
        var launch = first.Client.PostAsJsonAsync("/v1/runs", KubernetesJobs.Body("k8s-kill", TwoCities));
        await fake.WaitForJobsAsync(1);
        var firstId = first.Service<ReplicaIdentity>().Id;
        while (await database.ExecuteAsync("UPDATE streamsets.service_replica SET heartbeat_at = now() - interval '1 hour' WHERE replica_id = @firstId",
                   new { firstId }) == 0) await Task.Delay(TimeSpan.FromMilliseconds(50));
        // As if the instances' first lease time had gone by since the launch.
        await database.ExecuteAsync("UPDATE streamsets.run_instance SET next_check_at = now()", new { });

        await using var second = ServiceReplica.Start(database, controlHub, KubernetesJobs.Settings(fake));
        await second.Service<ReplicaHeartbeat>().RunOnceAsync(CancellationToken.None);
        await second.MonitorPassAsync();
        await database.ExecuteAsync("UPDATE streamsets.run_instance SET reconcile_missed_at = now() - interval '1 day', next_check_at = now() " +
                                    "WHERE reconcile_missed_at IS NOT NULL", new { });
        await second.MonitorPassAsync();
        fake.ReleaseCreate(); // the dead replica's answer arrives after all: it goes on, and meets 409 for the second Job
        using var zombie = await launch;
        await first.DisposeAsync();
        var runId = (await database.QueryAsync<Guid>("SELECT run_id FROM streamsets.run")).Single();
        foreach (var job in fake.Jobs) fake.Succeed(job["metadata"]!["name"]!.GetValue<string>(), "JTS_METRICS input=3 output=3 errors=0");
        for (var pass = 0; pass < 3; pass++) await second.MonitorPassAsync();
        var run = await second.Client.GetRunAsync(runId);

        Assert.Equal(2, fake.Jobs.Count);
        Assert.Equal(3, fake.JobCreates);
        Assert.Equal(run.Instances.Select(i => $"{KubernetesJobs.Namespace}/{KubernetesJobs.JobName(i.InstanceId)}").Order(),
            run.Instances.Select(i => i.PlatformJobId!).Order());
        Assert.Equal((RunStates.Succeeded, 2), (run.State, run.Instances.Count(i => i.State == InstanceStates.Succeeded)));
        Assert.Equal(2, (await database.MetricsRowsAsync(runId)).Count);
    }

    [Fact]
    public async Task ServerErrorAfterCreatingIsAdoptedByTheRunLabelWithoutASecondCreate()
    {
        var (app, fake) = await KubernetesJobs.StartAsync();
        await using var _ = app;
        await using var __ = fake;
        fake.OnCreateJob = _ => CreateBehaviour.ServerErrorAfterCreating;

        using var response = await app.PostJsonAsync("/v1/runs", KubernetesJobs.Body("k8s-500"));
        var launched = (await response.Content.ReadFromJsonAsync<RunResource>(Json.Options))!;
        await app.MonitorPassAsync();
        var run = await app.GetRunAsync(launched.RunId);

        Assert.Equal((HttpStatusCode.Accepted, InstanceStates.Starting), (response.StatusCode, launched.Instances[0].State));
        Assert.Equal(1, fake.JobCreates);
        Assert.Contains(fake.CallsTo("GET", "/jobs"), c => c.Query.GetValueOrDefault("labelSelector") == $"jobtemplateservice/run-id={launched.RunId}");
        Assert.Equal((InstanceStates.Running, $"{KubernetesJobs.Namespace}/{KubernetesJobs.JobName(launched.Instances[0].InstanceId)}"),
            (run.Instances[0].State, run.Instances[0].PlatformJobId));
    }

    [Fact]
    public async Task CreateRepeatedForAnInstanceWhoseFirstJobLandedLateGets409AndAdoptsThatJob()
    {
        var (app, fake) = await KubernetesJobs.StartAsync();
        await using var _ = app;
        await using var __ = fake;
        var creates = 0;
        fake.OnCreateJob = _ => Interlocked.Increment(ref creates) == 1 ? CreateBehaviour.ServerErrorWithoutCreating : CreateBehaviour.Create;
        using var response = await app.PostJsonAsync("/v1/runs", KubernetesJobs.Body("k8s-409"));
        var launched = (await response.Content.ReadFromJsonAsync<RunResource>(Json.Options))!;
        var name = KubernetesJobs.JobName(launched.Instances[0].InstanceId);
        await app.MonitorPassAsync();
        await app.ElapseReconcileWaitAsync();
        fake.AfterNextJobList = fake.CreateDeferred; // the lost write lands between the second search and the repeated create

        await app.MonitorPassAsync();
        var run = await app.GetRunAsync(launched.RunId);

        Assert.Equal(2, fake.JobCreates);
        Assert.Single(fake.Jobs);
        Assert.Single(fake.CallsTo("GET", $"/jobs/{name}"));
        Assert.Equal((InstanceStates.Running, $"{KubernetesJobs.Namespace}/{name}"), (run.Instances[0].State, run.Instances[0].PlatformJobId));
    }

    [Fact]
    public async Task ListWhoseContinueTokenExpiredStartsOverAndStillFindsEveryJob()
    {
        var (app, fake) = await KubernetesJobs.StartAsync();
        await using var _ = app;
        await using var __ = fake;
        var creates = 0;
        fake.OnCreateJob = _ => Interlocked.Increment(ref creates) == 2 ? CreateBehaviour.ServerErrorAfterCreating : CreateBehaviour.Create;
        fake.PageSize = 1;
        using var response = await app.PostJsonAsync("/v1/runs", KubernetesJobs.Body("k8s-410", TwoCities));
        var launched = (await response.Content.ReadFromJsonAsync<RunResource>(Json.Options))!;
        fake.ExpireNextContinue = true;

        await app.MonitorPassAsync();
        var run = await app.GetRunAsync(launched.RunId);

        Assert.Equal(4, fake.CallsTo("GET", "/jobs").Count(c => c.Query.GetValueOrDefault("labelSelector") == $"jobtemplateservice/run-id={launched.RunId}"));
        Assert.All(run.Instances, i => Assert.Equal((InstanceStates.Running, $"{KubernetesJobs.Namespace}/{KubernetesJobs.JobName(i.InstanceId)}"),
            (i.State, i.PlatformJobId)));
        Assert.Equal(2, fake.JobCreates);
    }
}
