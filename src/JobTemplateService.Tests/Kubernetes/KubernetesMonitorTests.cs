using System.Text.Json.Nodes;

namespace JobTemplateService.Tests;

/// <summary>How Jobs are watched (one list per namespace and batch) and how their end becomes the instance's state, metrics row and log.</summary>
public sealed class KubernetesMonitorTests
{
    [Fact]
    public async Task RunningJobsAreReadWithOneLabelSelectedListPerNamespaceNotOneReadPerJob()
    {
        var (app, fake) = await KubernetesJobs.StartAsync();
        await using var _ = app;
        await using var __ = fake;
        var run = await app.LaunchAsync(KubernetesJobs.Body("k8s-batch",
            new JsonObject { ["CITY"] = "London" }, new JsonObject { ["CITY"] = "Phoenix" }, new JsonObject { ["CITY"] = "Lima" }));

        await app.MonitorPassAsync();

        var list = Assert.Single(fake.CallsTo("GET", $"/apis/batch/v1/namespaces/{KubernetesJobs.Namespace}/jobs"), c => c.Path.EndsWith("/jobs"));
        Assert.Equal($"jobtemplateservice/instance-id in ({string.Join(",", run.Instances.Select(i => i.InstanceId))})",
            list.Query["labelSelector"]);
        Assert.Empty(fake.CallsTo("GET", "/jobs/"));
        Assert.Single(fake.CallsTo("GET", "/pods"));
        Assert.All((await app.GetRunAsync(run.RunId)).Instances, i => Assert.Equal(InstanceStates.Running, i.State));
    }

    [Fact]
    public async Task ListThatFailsWithAServerErrorIsRetriedWithinTheSamePass()
    {
        var (app, fake) = await KubernetesJobs.StartAsync();
        await using var _ = app;
        await using var __ = fake;
        var launched = await app.LaunchAsync(KubernetesJobs.Body("k8s-retry"));
        fake.Succeed(KubernetesJobs.JobName(launched.Instances[0].InstanceId), "JTS_METRICS input=1 output=1 errors=0");
        fake.FailingReads = 2;

        await app.MonitorPassAsync();
        var run = await app.GetRunAsync(launched.RunId);

        Assert.Equal(3, fake.CallsTo("GET", "/jobs").Count(c => c.Path.EndsWith("/jobs", StringComparison.Ordinal)));
        Assert.Equal((RunStates.Succeeded, 1), (run.State, fake.JobCreates));
    }

    [Fact]
    public async Task CompletedJobEndsSucceededWithCountsFromItsTerminationMessageAndItsPodLogInTheInstanceLog()
    {
        var (app, fake) = await KubernetesJobs.StartAsync();
        await using var _ = app;
        await using var __ = fake;
        var launched = await app.LaunchAsync(KubernetesJobs.Body("k8s-ok"));
        fake.Succeed(KubernetesJobs.JobName(launched.Instances[0].InstanceId), "JTS_METRICS input=120 output=118 errors=2",
            "reading rows\nJTS_METRICS input=1 output=1 errors=0\nwrote daily_counts");

        var run = await app.RunToCompletionAsync(launched.RunId);
        var row = Assert.Single(await app.Database.MetricsRowsAsync(launched.RunId));
        var log = await app.ReadLogAsync(launched.RunId);

        Assert.Equal((RunStates.Succeeded, InstanceStates.Succeeded), (run.State, run.Instances[0].State));
        Assert.Equal((true, InstanceStates.Succeeded), (row.SuccessfulRun, row.FinalState));
        Assert.Equal((120L, 118L, 2L), (row.InputRecordCount, row.OutputRecordCount, row.ErrorRecordCount));
        Assert.Equal((KubernetesJobs.Image, "node-1"), (row.PipelineId, row.EngineId));
        Assert.NotNull(row.FinishTime);
        Assert.Equal(["reading rows", "JTS_METRICS input=1 output=1 errors=0", "wrote daily_counts"], log.Lines.Select(l => l.Text));
        Assert.True(log.Complete);
    }

    [Fact]
    public async Task CountsComeFromTheLastMetricsLineOfTheLogWhenTheTerminationMessageHasNone()
    {
        var (app, fake) = await KubernetesJobs.StartAsync();
        await using var _ = app;
        await using var __ = fake;
        var launched = await app.LaunchAsync(KubernetesJobs.Body("k8s-log-counts"));
        fake.Succeed(KubernetesJobs.JobName(launched.Instances[0].InstanceId), null,
            "JTS_METRICS input=1 output=1 errors=0\nJTS_METRICS errors=3 input=50 output=47\nbye");

        await app.RunToCompletionAsync(launched.RunId);
        var row = Assert.Single(await app.Database.MetricsRowsAsync(launched.RunId));

        Assert.Equal((50L, 47L, 3L), (row.InputRecordCount, row.OutputRecordCount, row.ErrorRecordCount));
    }

    [Theory]
    [InlineData("BackoffLimitExceeded", "Job has reached the specified backoff limit")]
    [InlineData("DeadlineExceeded", "Job was active longer than specified deadline")]
    public async Task FailedJobEndsFailedWithTheJobsReasonAndThePodsExitCodeAndMessage(string reason, string message)
    {
        var (app, fake) = await KubernetesJobs.StartAsync();
        await using var _ = app;
        await using var __ = fake;
        var launched = await app.LaunchAsync(KubernetesJobs.Body("k8s-fail"));
        fake.Fail(KubernetesJobs.JobName(launched.Instances[0].InstanceId), 3,
            "Traceback (most recent call last):\nValueError: bad row 17\nJTS_METRICS input=17 output=16 errors=1", reason, message);

        var run = await app.RunToCompletionAsync(launched.RunId);
        var row = Assert.Single(await app.Database.MetricsRowsAsync(launched.RunId));

        var instance = Assert.Single(run.Instances);
        Assert.Equal((RunStates.Failed, InstanceStates.Failed), (run.State, instance.State));
        Assert.StartsWith($"{reason}: {message}", instance.Error);
        Assert.Contains("exit code 3", instance.Error);
        Assert.Equal((false, instance.Error), (row.SuccessfulRun, row.ErrorMessage));
        Assert.Equal((17L, 16L, 1L), (row.InputRecordCount, row.OutputRecordCount, row.ErrorRecordCount));
    }

    [Theory]
    [InlineData("ImagePullBackOff")]
    [InlineData("Unschedulable")]
    public async Task PodThatCannotStartPastThePendingLimitFailsTheInstanceWithThatReasonAndTheJobIsDeleted(string reason)
    {
        var (app, fake) = await KubernetesJobs.StartAsync(s => s["KubernetesClient:PendingTimeout"] = "00:00:00");
        await using var _ = app;
        await using var __ = fake;
        var launched = await app.LaunchAsync(KubernetesJobs.Body("k8s-stuck"));
        var name = KubernetesJobs.JobName(launched.Instances[0].InstanceId);
        if (reason == "Unschedulable") fake.Unschedulable(name, "0/3 nodes are available: 3 Insufficient memory.");
        else fake.CannotStart(name, reason, $"Back-off pulling image \"{KubernetesJobs.Image}\"");

        var run = await app.RunToCompletionAsync(launched.RunId);

        var instance = Assert.Single(run.Instances);
        Assert.Equal(InstanceStates.Failed, instance.State);
        Assert.StartsWith($"{reason}: pod {name}-", instance.Error);
        Assert.Empty(fake.Jobs);
        Assert.Empty(fake.Pods);
        Assert.Single(await app.Database.MetricsRowsAsync(launched.RunId));
    }

    [Fact]
    public async Task PodWaitingForItsImageWithinThePendingLimitKeepsTheInstanceRunning()
    {
        var (app, fake) = await KubernetesJobs.StartAsync();
        await using var _ = app;
        await using var __ = fake;
        var launched = await app.LaunchAsync(KubernetesJobs.Body("k8s-pulling"));
        fake.CannotStart(KubernetesJobs.JobName(launched.Instances[0].InstanceId), "ErrImagePull", "pull access denied");

        await app.MonitorPassAsync();
        await app.MonitorPassAsync();

        Assert.Equal(InstanceStates.Running, (await app.GetRunAsync(launched.RunId)).Instances[0].State);
        Assert.Single(fake.Jobs);
    }
}
