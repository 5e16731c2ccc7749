using System.Net;
using System.Net.Http.Json;
using System.Text;

namespace JobTemplateService.Tests;

public sealed class OriginalReadmeTests
{
    [Fact]
    public async Task TwoCityExampleEndsWithTwoCorrectMetricsRows()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        app.ControlHub.NextJobs(JobScript.Succeeds(12_482), JobScript.ForceStopped(1_499));

        using var response = await app.Client.PostAsync("/streamsets/job-template-runner",
            new StringContent(Seed.TwoCityBody, Encoding.UTF8, "application/json"));
        var launched = await response.Content.ReadFromJsonAsync<Dictionary<string, object>>();
        var runId = Guid.Parse(launched!["run-id"].ToString()!);
        var run = await app.RunToCompletionAsync(runId);
        var metrics = await app.Client.GetFromJsonAsync<MetricsPage>("/v1/metrics?user-run-id=run-123", Json.Options);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("OK", launched["status"].ToString());
        Assert.Equal(RunStates.Failed, run.State);
        var rows = metrics!.Metrics.OrderBy(m => m.InputRecordCount).ToList();
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Equal(("mark@onefoursix.com", "run-123"), (r.UserId, r.UserRunId)));
        Assert.Equal((false, 1_499L, 1_499L, 0L, JobScript.ForceStopMessage),
            (rows[0].SuccessfulRun, rows[0].InputRecordCount!.Value, rows[0].OutputRecordCount!.Value, rows[0].ErrorRecordCount!.Value, rows[0].ErrorMessage));
        Assert.Equal((true, 12_482L, 12_482L, 0L, (string?)null),
            (rows[1].SuccessfulRun, rows[1].InputRecordCount!.Value, rows[1].OutputRecordCount!.Value, rows[1].ErrorRecordCount!.Value, rows[1].ErrorMessage));
        Assert.All(rows, r => Assert.Equal((ControlHubSimulator.EngineId, ControlHubSimulator.PipelineId), (r.EngineId, r.PipelineId)));
    }
}
