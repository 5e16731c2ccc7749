using System.Net;

namespace JobTemplateService.Tests;

/// <summary>
/// Success criteria and stalls on Control Hub (the simulator's jobs report scripted counts): a job
/// Control Hub calls successful that breaks a criterion ends FAILED naming it and the numbers; a job
/// whose counts stop moving for the template's stall-after is marked stalled (and, with
/// stall-action fail, stopped and ended FAILED).
/// </summary>
public sealed class ControlHubCriteriaAndStallTests
{
    [Fact]
    public async Task APlatformSuccessThatBreaksACriterionEndsFailedWithTheCriterionAndTheNumbers()
    {
        await using var app = await StartAsync(new JobScript(["ACTIVE/GREEN", "INACTIVE/GRAY"], null, 10, 0, 0, 0),
            "min_output_records = 1, min_input_records = 5");
        var launched = await app.LaunchAsync(LaunchBodies.Body());

        var run = await app.RunToCompletionAsync(launched.RunId);
        using var outcome = await app.OutcomeAsync(launched.RunId);
        var metrics = await app.Database.QueryAsync<(bool Successful, string FinalState, long Output, string Error)>(
            "SELECT successful_run, final_state, output_record_count, error_message FROM streamsets.job_run_metrics");
        var scrape = await app.ScrapeAsync();

        Assert.Equal(RunStates.Failed, run.State);
        Assert.Equal((InstanceStates.Failed, "output 0 < min-output-records 1"), (run.Instances[0].State, run.Instances[0].Error));
        Assert.Equal((false, "FAILED", 0L, "output 0 < min-output-records 1"), Assert.Single(metrics));
        var problem = await outcome.ReadProblemAsync(HttpStatusCode.UnprocessableEntity, "/problems/run-failed");
        Assert.Contains("output 0 < min-output-records 1", problem.GetProperty("detail").GetString());
        Assert.Equal(1, PrometheusText.Sample(scrape, "jts_success_criteria_failures_total{criterion=\"min-output-records\"}"));
        Assert.Equal(0, PrometheusText.Sample(scrape, "jts_success_criteria_failures_total{criterion=\"min-input-records\"}"));
    }

    [Fact]
    public async Task EveryBrokenCriterionIsNamedErrorsCountingStageErrors()
    {
        await using var app = await StartAsync(new JobScript(["ACTIVE/GREEN", "INACTIVE/GRAY"], null, 20, 15, 4, 1),
            "max_error_records = 4, max_error_ratio = 0.1");
        var launched = await app.LaunchAsync(LaunchBodies.Body());

        var run = await app.RunToCompletionAsync(launched.RunId);

        Assert.Equal("errors 5 > max-error-records 4; error ratio 0.25 (5 errors ÷ 20 input) > max-error-ratio 0.1", run.Instances[0].Error);
    }

    [Fact]
    public async Task CriteriaThatHoldLeaveASuccessAlone()
    {
        await using var app = await StartAsync(JobScript.Succeeds(records: 40),
            "min_input_records = 40, min_output_records = 1, max_error_records = 0, max_error_ratio = 0");
        var launched = await app.LaunchAsync(LaunchBodies.Body());

        var run = await app.RunToCompletionAsync(launched.RunId);

        Assert.Equal((RunStates.Succeeded, null), (run.State, run.Instances[0].Error));
    }

    [Fact]
    public async Task CountsThatStopMovingForStallAfterMarkTheInstanceStalledAndSendASignedInstanceStalledEvent()
    {
        using var receiver = new CallbackReceiver();
        await using var app = await StartAsync(JobScript.Streams((10, 10, 0)), "stall_after = interval '15 minutes'");
        await app.FirstPassAsync<MaintenanceSweeper>(); // a late first sweep of the host's own could write a count read before the stall
        var body = LaunchBodies.Body();
        body["callback-url"] = receiver.Url;
        body["callback-secret"] = "stall-secret-1";
        var launched = await app.LaunchAsync(body);
        var instanceId = launched.Instances[0].InstanceId;

        await app.MonitorPassAsync();
        var moving = (await app.GetRunAsync(launched.RunId)).Instances[0];
        await app.Database.CountsLastMovedAsync(instanceId, TimeSpan.FromMinutes(16));
        await app.MonitorPassAsync();
        var stalled = (await app.GetRunAsync(launched.RunId)).Instances[0];
        await app.Service<MaintenanceSweeper>().RunOnceAsync(CancellationToken.None);
        var gauge = PrometheusText.Sample(await app.ScrapeAsync(), "jts_stalled_instances");
        await app.Service<CallbackDispatcher>().RunOnceAsync(CancellationToken.None);
        // The dispatcher also runs by itself: the event may be on its way from that pass instead.
        var callback = Assert.Single(await receiver.WaitForAsync(1));
        await app.MonitorPassAsync();
        var stillOne = await app.Database.ScalarAsync<long>("SELECT count(*) FROM streamsets.instance_event_delivery");
        app.ControlHub.Job(launched.Instances[0].PlatformJobId!).Script = JobScript.Streams((10, 10, 0), (10, 10, 0), (10, 10, 0), (12, 12, 0));
        await app.MonitorPassAsync();
        var movingAgain = (await app.GetRunAsync(launched.RunId)).Instances[0];

        Assert.Null(moving.StalledSince);
        Assert.Equal(InstanceStates.Running, stalled.State);
        Assert.NotNull(stalled.StalledSince);
        Assert.Equal(1, gauge);
        Assert.Equal("instance.stalled", callback.Header("X-JTS-Event"));
        Assert.True(callback.SignatureVerifies("stall-secret-1"));
        var json = callback.Json;
        Assert.Equal("instance.stalled", json.GetProperty("event").GetString());
        Assert.Equal(instanceId, json.GetProperty("instance").GetProperty("instance-id").GetGuid());
        Assert.Equal(stalled.StalledSince, json.GetProperty("stalled-since").GetDateTime());
        Assert.Equal(launched.RunId, json.GetProperty("run").GetProperty("run-id").GetGuid());
        Assert.Equal(1, stillOne);
        Assert.Null(movingAgain.StalledSince);
        Assert.Equal(12, movingAgain.LiveMetrics!.Input);
        Assert.Equal(RunStates.Running, (await app.GetRunAsync(launched.RunId)).State);
    }

    [Fact]
    public async Task AStallWithStallActionFailStopsTheJobAndEndsItFailed()
    {
        await using var app = await StartAsync(JobScript.Streams((10, 10, 0)), "stall_after = interval '15 minutes', stall_action = 'fail'");
        var launched = await app.LaunchAsync(LaunchBodies.Body());
        var job = app.ControlHub.Job(launched.Instances[0].PlatformJobId!);

        await app.MonitorPassAsync();
        await app.Database.CountsLastMovedAsync(launched.Instances[0].InstanceId, TimeSpan.FromMinutes(16));
        await app.MonitorPassAsync();
        var stopRequested = job.StopRequested;
        var run = await app.RunToCompletionAsync(launched.RunId);
        var metrics = await app.Database.QueryAsync<(bool Successful, string Error)>("SELECT successful_run, error_message FROM streamsets.job_run_metrics");

        Assert.True(stopRequested);
        Assert.Equal(RunStates.Failed, run.State);
        Assert.Equal((InstanceStates.Failed, "stalled: no records for 15 min"), (run.Instances[0].State, run.Instances[0].Error));
        Assert.Equal((false, "stalled: no records for 15 min"), Assert.Single(metrics));
    }

    private static async Task<TestApp> StartAsync(JobScript script, string options)
    {
        var app = await TestApp.StartAsync(CallbackReceiver.AllowLoopback); // the stall callback's receiver is local
        await app.Database.ExampleTemplateAsync();
        await app.Database.TemplateOptionsAsync(options);
        app.ControlHub.DefaultScript = script;
        return app;
    }
}
