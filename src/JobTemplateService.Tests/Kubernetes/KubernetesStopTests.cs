using System.Net;
using System.Text.Json.Nodes;

namespace JobTemplateService.Tests;

/// <summary>Cancel, max wait and clean-up delete the Job with background propagation: no pod or Secret is left behind.</summary>
public sealed class KubernetesStopTests
{
    [Fact]
    public async Task CancelDeletesTheJobWithBackgroundPropagationLeavingNoPodsAndKeepsItsLogWithSecretsMasked()
    {
        var (app, fake) = await KubernetesJobs.StartAsync();
        await using var _ = app;
        await using var __ = fake;
        var launched = await app.LaunchAsync(KubernetesJobs.Body("k8s-cancel", new JsonObject { ["CITY"] = "London", ["API_TOKEN"] = "tok-123456789" }));
        var name = KubernetesJobs.JobName(launched.Instances[0].InstanceId);
        fake.WriteLog(name, "half way, signed in with tok-123456789");
        await app.MonitorPassAsync();

        using var cancel = await app.CancelAsync(launched.RunId);
        var run = await app.RunToCompletionAsync(launched.RunId);
        var delete = Assert.Single(fake.CallsTo("DELETE", $"/jobs/{name}"));

        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Assert.Equal((RunStates.Canceled, InstanceStates.Canceled), (run.State, run.Instances[0].State));
        Assert.Equal("Background", JsonNode.Parse(delete.Body)!["propagationPolicy"]!.GetValue<string>());
        Assert.Empty(fake.Jobs);
        Assert.Empty(fake.Pods);
        Assert.Empty(fake.Secrets);
        Assert.Equal(InstanceStates.Canceled, Assert.Single(await app.Database.MetricsRowsAsync(launched.RunId)).FinalState);
        Assert.Equal([$"half way, signed in with {SecretMasker.Mask}"], (await app.ReadLogAsync(launched.RunId)).Lines.Select(l => l.Text));
    }

    [Fact]
    public async Task MaxWaitExpiryDeletesTheJobAndItsPodsAndEndsTimedOut()
    {
        var (app, fake) = await KubernetesJobs.StartAsync(extraColumns: ", max_wait", extraValues: ", interval '1 hour'");
        await using var _ = app;
        await using var __ = fake;
        var launched = await app.LaunchAsync(KubernetesJobs.Body("k8s-timeout"));
        await app.Database.ExecuteAsync("UPDATE streamsets.run_instance SET deadline_at = now() - interval '1 second' WHERE run_id = @runId",
            new { runId = launched.RunId });

        var run = await app.RunToCompletionAsync(launched.RunId);

        var instance = Assert.Single(run.Instances);
        Assert.Equal((RunStates.TimedOut, InstanceStates.TimedOut), (run.State, instance.State));
        Assert.Contains("max wait", instance.Error);
        Assert.Equal("Background", JsonNode.Parse(Assert.Single(fake.CallsTo("DELETE", "/jobs/")).Body)!["propagationPolicy"]!.GetValue<string>());
        Assert.Empty(fake.Jobs);
        Assert.Empty(fake.Pods);
        Assert.Equal(InstanceStates.TimedOut, Assert.Single(await app.Database.MetricsRowsAsync(launched.RunId)).FinalState);
    }

    [Fact]
    public async Task TemplateThatDeletesAfterCompletionRemovesTheJobOnlyAfterItsMetricsRowIsWritten()
    {
        var (app, fake) = await KubernetesJobs.StartAsync(deleteAfterCompletion: true);
        await using var _ = app;
        await using var __ = fake;
        var launched = await app.LaunchAsync(KubernetesJobs.Body("k8s-cleanup"));
        var name = KubernetesJobs.JobName(launched.Instances[0].InstanceId);
        fake.Succeed(name, "JTS_METRICS input=5 output=5 errors=0");

        await app.RunToCompletionAsync(launched.RunId);
        await app.MonitorPassAsync();

        var row = Assert.Single(await app.Database.MetricsRowsAsync(launched.RunId));
        Assert.Equal((true, 5L), (row.SuccessfulRun, row.InputRecordCount));
        Assert.Empty(fake.Jobs);
        Assert.Empty(fake.Pods);
        Assert.Equal("Background", JsonNode.Parse(Assert.Single(fake.CallsTo("DELETE", $"/jobs/{name}")).Body)!["propagationPolicy"]!.GetValue<string>());
    }

    [Fact]
    public async Task JobDeletedWithoutPropagationLeavesItsPodRunningWhichIsWhyTheServiceNeverDoesSo()
    {
        await using var fake = await FakeKubernetes.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(fake.Url) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", FakeKubernetes.Token);
        var job = new JsonObject
        {
            ["apiVersion"] = "batch/v1", ["kind"] = "Job",
            ["metadata"] = new JsonObject { ["name"] = "plain", ["labels"] = new JsonObject { ["a"] = "b" } },
            ["spec"] = new JsonObject { ["template"] = new JsonObject
            {
                ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["a"] = "b" } },
                ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "job", ["image"] = "busybox" }) },
            } },
        };
        (await http.PostAsync("/apis/batch/v1/namespaces/x/jobs", new StringContent(job.ToJsonString()))).EnsureSuccessStatusCode();

        (await http.DeleteAsync("/apis/batch/v1/namespaces/x/jobs/plain")).EnsureSuccessStatusCode();

        Assert.Empty(fake.Jobs);
        Assert.Single(fake.PodsOf("plain"));
    }
}
