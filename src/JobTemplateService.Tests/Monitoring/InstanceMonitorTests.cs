using System.Text.Json.Nodes;
using Npgsql;

namespace JobTemplateService.Tests;

public sealed class InstanceMonitorTests
{
    [Fact]
    public async Task MonitorWritesOneMetricsRowWhenJobFinishes()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.TemplateAsync("http", "gcs", RunHelpers.TemplateId);
        app.ControlHub.NextJobs(new JobScript(["ACTIVE/GREEN", "INACTIVE/GRAY"], null, Input: 120, Output: 110, Errors: 6, StageErrors: 4));
        var before = DateTime.UtcNow.AddSeconds(-1);
        var launched = await app.Client.LaunchAsync("http", "gcs", "London");

        var run = await app.RunToCompletionAsync(launched.RunId);
        var rows = await app.Database.MetricsRowsAsync(launched.RunId);
        var legacy = await app.Database.QueryAsync<(string JobRunId, bool SuccessfulRun, long Input)>(
            "SELECT job_run_id, successful_run, input_record_count FROM streamsets.job_instance WHERE user_run_id = @UserRunId",
            new { RunHelpers.UserRunId });

        var instance = Assert.Single(run.Instances);
        var job = app.ControlHub.Job(instance.PlatformJobId!);
        var row = Assert.Single(rows);
        Assert.Equal((RunStates.Succeeded, InstanceStates.Succeeded), (run.State, instance.State));
        Assert.Equal((instance.InstanceId, instance.PlatformJobId, RunHelpers.UserRunId), (row.InstanceId, row.PlatformJobId, row.UserRunId));
        Assert.Equal((true, InstanceStates.Succeeded, (string?)null), (row.SuccessfulRun, row.FinalState, row.ErrorMessage));
        Assert.Equal((120L, 110L, 10L), (row.InputRecordCount, row.OutputRecordCount, row.ErrorRecordCount));
        Assert.Equal((ControlHubSimulator.EngineId, ControlHubSimulator.PipelineId, 1), (row.EngineId, row.PipelineId, row.RunCount));
        Assert.Equal(DateTime.UnixEpoch.AddMilliseconds(job.StartTime), row.StartTime);
        Assert.InRange(row.FinishTime!.Value, before, DateTime.UtcNow);
        Assert.Equal((120L, 10L), (instance.Metrics!.InputRecordCount, instance.Metrics.ErrorRecordCount));
        Assert.Equal((instance.PlatformJobId!, true, 120L), Assert.Single(legacy));
    }

    [Fact]
    public async Task MonitorRecordsForceStoppedJobAsFailedWithItsErrorMessage()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.TemplateAsync("http", "gcs", RunHelpers.TemplateId);
        app.ControlHub.NextJobs(JobScript.ForceStopped(1_499));
        var launched = await app.Client.LaunchAsync("http", "gcs", "Phoenix");

        var run = await app.RunToCompletionAsync(launched.RunId);
        var rows = await app.Database.MetricsRowsAsync(launched.RunId);

        var instance = Assert.Single(run.Instances);
        var row = Assert.Single(rows);
        Assert.Equal((RunStates.Failed, InstanceStates.Failed, JobScript.ForceStopMessage), (run.State, instance.State, instance.Error));
        Assert.Equal((false, InstanceStates.Failed, JobScript.ForceStopMessage), (row.SuccessfulRun, row.FinalState, row.ErrorMessage));
        Assert.Equal((1_499L, 1_499L), (row.InputRecordCount, row.OutputRecordCount));
    }

    [Theory]
    [InlineData("INACTIVE", "GRAY", null, "SUCCEEDED")]
    [InlineData("INACTIVE", "GREEN", null, "SUCCEEDED")]
    [InlineData("INACTIVE", "RED", "JOBRUNNER_71 - Pipeline finished with errors", "FAILED")]
    [InlineData("INACTIVE_ERROR", "GRAY", "JOBRUNNER_18 - Engine stopped responding", "FAILED")]
    [InlineData("ACTIVATION_ERROR", "RED", "JOBRUNNER_06 - No engine matches the job's labels", "FAILED")]
    public async Task MonitorCountsOnlyInactiveWithoutRedAsSuccess(string status, string color, string? error, string expected)
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.TemplateAsync("http", "gcs", RunHelpers.TemplateId);
        app.ControlHub.NextJobs(new JobScript(["ACTIVE/GREEN", $"{status}/{color}"], error, 10, 7, 2, 1));
        var launched = await app.Client.LaunchAsync("http", "gcs", "Lagos");

        var run = await app.RunToCompletionAsync(launched.RunId);
        var rows = await app.Database.MetricsRowsAsync(launched.RunId);

        var instance = Assert.Single(run.Instances);
        var row = Assert.Single(rows);
        Assert.Equal((expected, expected), (run.State, instance.State));
        Assert.Equal((expected == "SUCCEEDED", expected, error), (row.SuccessfulRun, row.FinalState, row.ErrorMessage));
        Assert.Equal(error, instance.Error);
        Assert.Equal((10L, 7L, 3L), (row.InputRecordCount, row.OutputRecordCount, row.ErrorRecordCount));
    }

    [Fact]
    public async Task MonitorNeverWritesASecondMetricsRowForAnInstance()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.TemplateAsync("http", "gcs", RunHelpers.TemplateId);
        var launched = await app.Client.LaunchAsync("http", "gcs", "London", "Phoenix");
        await app.RunToCompletionAsync(launched.RunId);
        var statusCallsAtCompletion = app.ControlHub.Calls("POST", "/jobs/status").Count;

        var checkedAfterwards = 0;
        for (var pass = 0; pass < 3; pass++) checkedAfterwards += await app.MonitorPassAsync();
        var rows = await app.Database.MetricsRowsAsync(launched.RunId);

        Assert.Equal(0, checkedAfterwards);
        Assert.Equal(2, rows.Count);
        Assert.Equal(2, rows.Select(r => r.InstanceId).Distinct().Count());
        Assert.Equal(statusCallsAtCompletion, app.ControlHub.Calls("POST", "/jobs/status").Count);
    }

    [Fact]
    public async Task APassPollsEachInstanceOnceEvenWhenItComesDueAgainDuringThePass()
    {
        // A 1 ms poll interval: every instance is due again long before a pass of one-instance claims ends.
        await using var app = await TestApp.StartAsync(settings =>
        {
            settings["Monitor:ClaimBatchSize"] = "1";
        });
        await app.Database.TemplateAsync("http", "gcs", RunHelpers.TemplateId);
        app.ControlHub.NextJobs(JobScript.RunsForever(), JobScript.RunsForever(), JobScript.RunsForever());
        await app.Client.LaunchAsync("http", "gcs", "London", "Phoenix", "Lagos");

        var checkedCount = await app.MonitorPassAsync();
        var polled = app.ControlHub.Calls("POST", "/jobs/status").Select(c => JsonNode.Parse(c.RequestMessage!.Body!)!.AsArray().Single()!.GetValue<string>());

        Assert.Equal(3, checkedCount);
        Assert.Equal(3, polled.Distinct().Count());
        Assert.Equal(3, polled.Count());
    }

    [Fact]
    public async Task InstancesCheckedLateInALongPassAreDueAgainWithTheFirstOnes()
    {
        // Three one-instance claims whose status calls take 300 ms each: the pass lasts about a second.
        // Each instance is due again one interval after the pass began, whenever in the pass it was
        // checked; due one interval after its own check, the last would miss the next pass.
        await using var app = await TestApp.StartAsync(settings =>
        {
            settings["Monitor:ClaimBatchSize"] = "1";
            settings["Monitor:PollInterval"] = "00:00:10";
        });
        await app.Database.TemplateAsync("http", "gcs", RunHelpers.TemplateId);
        app.ControlHub.NextJobs(JobScript.RunsForever(), JobScript.RunsForever(), JobScript.RunsForever());
        await app.Client.LaunchAsync("http", "gcs", "London", "Phoenix", "Lagos");
        app.ControlHub.SlowStatusCalls(TimeSpan.FromMilliseconds(300));
        await app.Database.ExecuteAsync("UPDATE streamsets.run_instance SET next_check_at = now()");

        Assert.Equal(3, await app.MonitorPassAsync());
        var due = (await app.Database.QueryAsync<DateTime>("SELECT next_check_at FROM streamsets.run_instance")).ToList();

        Assert.Equal(3, due.Count);
        Assert.True(due.Max() - due.Min() < TimeSpan.FromMilliseconds(100),
            $"next checks spread over {(due.Max() - due.Min()).TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task MetricsTableRejectsASecondRowForTheSameInstance()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.TemplateAsync("http", "gcs", RunHelpers.TemplateId);
        var launched = await app.Client.LaunchAsync("http", "gcs", "London");
        await app.RunToCompletionAsync(launched.RunId);

        var duplicate = await Assert.ThrowsAsync<PostgresException>(() => app.Database.ExecuteAsync("""
            INSERT INTO streamsets.job_run_metrics (instance_id, run_id, user_id, user_run_id, job_template_id, platform_job_id,
                                                    successful_run, final_state)
            SELECT instance_id, run_id, user_id, user_run_id, job_template_id, platform_job_id, successful_run, final_state
              FROM streamsets.job_run_metrics WHERE run_id = @RunId
            """, new { launched.RunId }));

        Assert.Equal(PostgresErrorCodes.UniqueViolation, duplicate.SqlState);
        Assert.Equal("job_run_metrics_instance_key", duplicate.ConstraintName);
        Assert.Single(await app.Database.MetricsRowsAsync(launched.RunId));
    }
}
