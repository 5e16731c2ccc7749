using System.Net;
using System.Net.Http.Json;

namespace JobTemplateService.Tests;

/// <summary>
/// GET /v1/runs/{run-id}/instances/{instance}/metrics: snapshots oldest first, by index or
/// instance-id, paged with limit and after; the outcome endpoint's explicit answer for every way a
/// run ends; template options the schema refuses; snapshots swept after their retention.
/// </summary>
public sealed class LiveMetricsApiTests
{
    [Fact]
    public async Task SnapshotsPageWithLimitAndAfterAndUnknownInstancesAre404()
    {
        await using var app = await TestApp.StartAsync(s => s["Metrics:SnapshotInterval"] = "00:00:00");
        await app.Database.ExampleTemplateAsync();
        app.ControlHub.DefaultScript = JobScript.Streams((1, 1, 0), (2, 2, 0), (3, 3, 0));
        var launched = await app.LaunchAsync(LaunchBodies.Body());
        for (var pass = 0; pass < 3; pass++) await app.MonitorPassAsync();

        var first = await app.SnapshotsAsync(launched.RunId, query: "?limit=2");
        var rest = (await app.Client.GetFromJsonAsync<InstanceMetricSeries>(first.Next!, Json.Options))!;
        using var unknown = await app.Client.GetAsync($"/v1/runs/{launched.RunId}/instances/7/metrics");
        using var badLimit = await app.Client.GetAsync($"/v1/runs/{launched.RunId}/instances/0/metrics?limit=0");

        Assert.Equal([1L, 2L], first.Snapshots.Select(s => s.Input));
        Assert.Equal((launched.Instances[0].InstanceId, InstanceStates.Running), (first.InstanceId, first.State));
        Assert.Equal([3L], rest.Snapshots.Select(s => s.Input));
        Assert.Null(rest.Next);
        await unknown.ReadProblemAsync(HttpStatusCode.NotFound, "/problems/not-found");
        await badLimit.ReadProblemAsync(HttpStatusCode.BadRequest, "/problems/validation");
    }

    [Fact]
    public void TheOutcomeEndpointAnswersEveryTerminalRunStateExplicitly()
    {
        Assert.Equal(RunStates.Terminal.Order(), RunOutcome.ByState.Keys.Order());
        Assert.Equal([RunStates.Stopped, RunStates.Succeeded], RunStates.Terminal.Where(RunOutcome.EndedWell).Order());
        Assert.Equal(InstanceStates.Healthy.Order(), new[] { InstanceStates.Stopped, InstanceStates.Succeeded }.Order());
    }

    [Theory]
    [InlineData("min_input_records = -1", "job_template_min_input_records_check")]
    [InlineData("min_output_records = -5", "job_template_min_output_records_check")]
    [InlineData("max_error_records = -1", "job_template_max_error_records_check")]
    [InlineData("max_error_ratio = 1.5", "job_template_max_error_ratio_check")]
    [InlineData("max_error_ratio = -0.1", "job_template_max_error_ratio_check")]
    [InlineData("max_error_ratio = 'NaN'", "job_template_max_error_ratio_check")]
    [InlineData("stall_after = interval '0 seconds'", "job_template_stall_after_check")]
    [InlineData("stall_action = 'explode'", "job_template_stall_action_check")]
    [InlineData("kind = 'micro-batch'", "job_template_kind_check")]
    public async Task TheSchemaRefusesBadTemplateOptionsNamingTheOption(string assignment, string constraint)
    {
        await using var database = await TestDatabase.CreateAsync();
        await database.ExampleTemplateAsync();

        var error = await database.RejectsAsync($"UPDATE streamsets.job_template SET {assignment}");

        Assert.Equal(constraint, error.ConstraintName);
    }

    [Fact]
    public void CriteriaValuesAreCheckedByName()
    {
        Assert.Empty(new SuccessCriteria(0, 1, 0, 0.5).Problems());
        Assert.Equal(["max-error-ratio", "min-input-records"],
            new SuccessCriteria(-1, null, null, 1.01).Problems().Keys.Order());
        Assert.Contains("max-error-ratio", new SuccessCriteria(null, null, null, double.NaN).Problems().Keys);
    }

    [Fact]
    public async Task SnapshotsPastTheirRetentionAreSweptInBatches()
    {
        await using var app = await TestApp.StartAsync(s =>
        {
            s["Metrics:SnapshotRetention"] = "1.00:00:00";
            s["Metrics:SweepBatchSize"] = "2";
        });
        await app.FirstPassAsync<MaintenanceSweeper>(); // a late sweep of the host's own would lock a batch this test's sweep then skips
        await app.Database.ExampleTemplateAsync();
        app.ControlHub.DefaultScript = JobScript.Streams((1, 1, 0));
        var launched = await app.LaunchAsync(LaunchBodies.Body());
        await app.Database.ExecuteAsync($"""
            INSERT INTO streamsets.instance_metric_snapshot (instance_id, reported_at, input_record_count, output_record_count, error_record_count)
            SELECT '{launched.Instances[0].InstanceId}', now() - d * interval '1 hour', d, d, 0 FROM generate_series(1, 30) AS d
            """);

        await app.Service<MaintenanceSweeper>().RunOnceAsync(CancellationToken.None);
        var left = await app.Database.QueryAsync<long>("SELECT input_record_count FROM streamsets.instance_metric_snapshot ORDER BY 1");

        // 23 within the day are kept (1–23 h old), 7 older are swept: four batches of two in one pass.
        Assert.Equal(Enumerable.Range(1, 23).Select(n => (long)n), left);
    }
}
