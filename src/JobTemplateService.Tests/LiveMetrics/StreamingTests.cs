using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;

namespace JobTemplateService.Tests;

/// <summary>
/// Streaming templates run until they are canceled: no max wait unless one is set, and a cancel
/// that Control Hub carries out cleanly ends them STOPPED (their healthy end: outcome 200, metrics
/// row successful with the final counts). A stop that needed a force-stop ends them CANCELED.
/// </summary>
public sealed class StreamingTests
{
    [Fact]
    public async Task ACanceledStreamingRunThatStopsCleanlyEndsStoppedWithItsFinalCounts()
    {
        await using var app = await StartAsync(JobScript.Streams((10, 10, 0), (25, 24, 1)));
        var launched = await app.LaunchAsync(LaunchBodies.Body());
        var deadline = await app.Database.StringsAsync(
            $"SELECT coalesce(deadline_at::text, 'none') FROM streamsets.run_instance WHERE run_id = '{launched.RunId}'");

        await app.MonitorPassAsync();
        await app.MonitorPassAsync();
        using var cancel = await app.CancelAsync(launched.RunId);
        var run = await app.RunToCompletionAsync(launched.RunId);
        using var outcome = await app.OutcomeAsync(launched.RunId);
        var metrics = await app.Database.QueryAsync<(bool Successful, string FinalState, long Input, long Output, long Errors)>(
            "SELECT successful_run, final_state, input_record_count, output_record_count, error_record_count FROM streamsets.job_run_metrics");

        Assert.Equal(["none"], deadline);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Assert.Equal(RunStates.Stopped, run.State);
        Assert.Equal((InstanceStates.Stopped, null), (run.Instances[0].State, run.Instances[0].Error));
        Assert.Equal(HttpStatusCode.OK, outcome.StatusCode);
        Assert.Equal(RunStates.Stopped, (await outcome.Content.ReadFromJsonAsync<RunResource>(Json.Options))!.State);
        Assert.Equal((true, "STOPPED", 25L, 24L, 1L), Assert.Single(metrics));
    }

    [Fact]
    public async Task AStreamingJobThatNeededAForceStopEndsCanceled()
    {
        await using var app = await StartAsync(JobScript.Streams((10, 10, 0)));
        var launched = await app.LaunchAsync(LaunchBodies.Body());
        app.ControlHub.Job(launched.Instances[0].PlatformJobId!).IgnoresStop = true;

        await app.CancelAsync(launched.RunId);
        var run = await app.RunToCompletionAsync(launched.RunId);

        Assert.Equal(RunStates.Canceled, run.State);
        Assert.Equal(InstanceStates.Canceled, run.Instances[0].State);
        Assert.Single(app.ControlHub.Calls("POST", "/forceStop"));
    }

    [Fact]
    public async Task AStreamingTemplatesOwnMaxWaitStillApplies()
    {
        await using var app = await StartAsync(JobScript.Streams((10, 10, 0)), "max_wait = interval '2 hours'");
        var launched = await app.LaunchAsync(LaunchBodies.Body());

        var minutes = await app.Database.ScalarAsync<double>(
            $"SELECT extract(epoch FROM deadline_at - created_at) / 60 FROM streamsets.run_instance WHERE run_id = '{launched.RunId}'");

        Assert.Equal(120, minutes, 0.1);
    }

    [Fact]
    public async Task TemplatesAndPlansShowKindCriteriaAndStallSettings()
    {
        await using var app = await StartAsync(JobScript.Streams((1, 1, 0)),
            "min_output_records = 1, max_error_ratio = 0.05, stall_after = interval '15 minutes', stall_action = 'fail'");

        var template = (await app.Client.GetFromJsonAsync<TemplateList>("/v1/templates", Json.Options))!.Templates.Single();
        using var planned = await app.PostJsonAsync("/v1/runs/plan", LaunchBodies.Body());
        var plan = (await planned.Content.ReadFromJsonAsync<LaunchPlan>(Json.Options))!;

        Assert.Equal(("streaming", null, TimeSpan.FromMinutes(15), "fail"), (template.Kind, template.MaxWait, template.StallAfter, template.StallAction));
        Assert.Equal(new SuccessCriteria(null, 1, null, 0.05), template.SuccessCriteria);
        Assert.Equal(("streaming", new SuccessCriteria(null, 1, null, 0.05)), (plan.Template!.Kind, plan.Template.SuccessCriteria));
        Assert.Null(plan.Template.MaxWait);
    }

    [Fact]
    public async Task ABatchTemplateWithoutAMaxWaitGetsFourHours()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        await app.Database.TemplateOptionsAsync("max_wait = NULL");

        var template = (await app.Client.GetFromJsonAsync<TemplateList>("/v1/templates", Json.Options))!.Templates.Single();

        Assert.Equal(("batch", TimeSpan.FromHours(4)), (template.Kind, template.MaxWait));
    }

    [Fact]
    public async Task CanceledIsVisibleAboutASecondAfterTheCancelWithTheMonitorsRunning()
    {
        await using var app = await TestApp.StartAsync(s =>
        {
            s["Monitor:Enabled"] = "true";
            s["Monitor:PollInterval"] = "00:00:10";
        });
        await app.Database.ExampleTemplateAsync();
        app.ControlHub.DefaultScript = JobScript.RunsForever();
        var launched = await app.LaunchAsync(LaunchBodies.Body());

        var clock = Stopwatch.StartNew();
        using var cancel = await app.CancelAsync(launched.RunId);
        var run = await app.WaitForRunAsync(launched.RunId, TimeSpan.FromSeconds(20));
        var elapsed = clock.Elapsed;

        Assert.Equal(RunStates.Canceled, run.State);
        // Stop sent within a stopping check (250 ms), checked again 750 ms later: about a second; generous for a busy machine.
        Assert.True(elapsed < TimeSpan.FromSeconds(5), $"CANCELED after {elapsed.TotalSeconds:0.0} s, with a 10 s poll interval");
    }

    [Fact]
    public async Task AfterAStopTheInstanceIsCheckedAgainWithinASecondThenLessOften()
    {
        await using var app = await TestApp.StartAsync(s => s["Monitor:PollInterval"] = "00:00:10");
        await app.Database.ExampleTemplateAsync();
        app.ControlHub.DefaultScript = JobScript.RunsForever();
        var launched = await app.LaunchAsync(LaunchBodies.Body());
        app.ControlHub.Job(launched.Instances[0].PlatformJobId!).IgnoresStop = true;
        var options = app.Service<Microsoft.Extensions.Options.IOptions<MonitorOptions>>().Value;

        await app.CancelAsync(launched.RunId);
        var stopped = await app.Service<StopMonitor>().RunOnceAsync(CancellationToken.None);
        var firstCheck = await app.Database.ScalarAsync<double>(
            $"SELECT extract(epoch FROM next_check_at - now()) FROM streamsets.run_instance WHERE run_id = '{launched.RunId}'");

        Assert.Equal(1, stopped);
        Assert.Single(app.ControlHub.Calls("POST", "/jobs/stopJobs"));
        Assert.InRange(firstCheck, 0.5, 1.0);
        Assert.Equal(TimeSpan.FromMilliseconds(750), options.StopCheckDelay(TimeSpan.FromSeconds(2)));
        Assert.Equal(TimeSpan.FromSeconds(2), options.StopCheckDelay(TimeSpan.FromSeconds(8)));
        Assert.Equal(TimeSpan.FromSeconds(10), options.StopCheckDelay(TimeSpan.FromMinutes(5)));
    }

    private static async Task<TestApp> StartAsync(JobScript script, string? options = null)
    {
        var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        await app.Database.TemplateOptionsAsync("kind = 'streaming'" + (options is null ? "" : ", " + options));
        app.ControlHub.DefaultScript = script;
        return app;
    }
}
