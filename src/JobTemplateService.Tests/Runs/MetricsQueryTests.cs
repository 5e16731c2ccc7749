using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace JobTemplateService.Tests;

public sealed class MetricsQueryTests
{
    private static readonly string[] SeedColumns =
    [
        "user_id", "user_run_id", "job_template_id", "engine_id", "pipeline_id", "successful_run", "input_record_count",
        "output_record_count", "error_record_count", "error_message", "start_time", "finish_time",
    ];

    [Fact]
    public async Task MetricsListsOnlyTheRowsOfTheRequestedUserRunIdOnceItsRunsFinish()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        app.ControlHub.NextJobs(JobScript.Succeeds(100), JobScript.Succeeds(200), JobScript.Succeeds(300));
        var wanted = await LaunchAsync(app, "run-a", LaunchBodies.City("London"), LaunchBodies.City("Phoenix", "US"));
        var other = await LaunchAsync(app, "run-b", LaunchBodies.City("Lyon", "FR"));

        var beforeFinish = await MetricsAsync(app, "/v1/metrics?user-run-id=run-a");
        var run = await app.RunToCompletionAsync(wanted);
        await app.RunToCompletionAsync(other);
        var afterFinish = await MetricsAsync(app, "/v1/metrics?user-run-id=run-a");

        Assert.Empty(beforeFinish.Metrics);
        Assert.Equal(RunStates.Succeeded, run.State);
        Assert.Equal(2, afterFinish.Metrics.Count);
        Assert.All(afterFinish.Metrics, m =>
            Assert.Equal(("run-a", "ann@example.com", wanted, true), (m.UserRunId, m.UserId, m.RunId!.Value, m.SuccessfulRun)));
        Assert.Equal(run.Instances.Select(i => i.PlatformJobId).Order(), afterFinish.Metrics.Select(m => m.PlatformJobId).Order());
        Assert.Equal([100L, 200L], afterFinish.Metrics.Select(m => m.InputRecordCount!.Value).Order());
        Assert.Equal(3L, await app.Database.ScalarAsync<long>("SELECT count(*) FROM streamsets.job_run_metrics"));
    }

    [Fact]
    public async Task MetricsAsCsvHasTheOriginalColumnNamesAndOneLinePerRow()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        var wanted = await LaunchAsync(app, "run-a", LaunchBodies.City("London"), LaunchBodies.City("Phoenix", "US"));
        var other = await LaunchAsync(app, "run-b", LaunchBodies.City("Lyon", "FR"));
        await app.RunToCompletionAsync(wanted);
        await app.RunToCompletionAsync(other);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/metrics?user-run-id=run-a");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));

        using var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',');
        Assert.All(SeedColumns, column => Assert.Contains(column, header));
        Assert.Equal(3, lines.Length);
        var userRunId = Array.IndexOf(header, "user_run_id");
        var successful = Array.IndexOf(header, "successful_run");
        Assert.All(lines[1..], line => Assert.Equal(("run-a", "true"), (line.Split(',')[userRunId], line.Split(',')[successful])));
    }

    [Fact]
    public async Task MetricsFiltersByUserIdToo()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        var anns = await LaunchAsync(app, "run-a", LaunchBodies.City("London"));
        using var bobLaunch = await app.PostJsonAsync("/v1/runs", LaunchBodies.Body("run-a", "bob@example.com"));
        var bobs = (await bobLaunch.Content.ReadFromJsonAsync<RunResource>(Json.Options))!.RunId;
        await app.RunToCompletionAsync(anns);
        await app.RunToCompletionAsync(bobs);

        var page = await MetricsAsync(app, "/v1/metrics?user-run-id=run-a&user-id=bob%40example.com");

        Assert.Equal(bobs, Assert.Single(page.Metrics).RunId);
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=1001")]
    public async Task MetricsRejectsALimitOutOfRange(string query)
    {
        await using var app = await TestApp.StartAsync();

        using var response = await app.Client.GetAsync($"/v1/metrics?user-run-id=run-a&{query}");

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest, "/problems/validation");
        Assert.Equal(["limit"], problem.ErrorKeys());
    }

    private static async Task<Guid> LaunchAsync(TestApp app, string userRunId, params System.Text.Json.Nodes.JsonObject[] sets)
    {
        using var response = await app.PostJsonAsync("/v1/runs", LaunchBodies.Body(userRunId, sets: sets));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<RunResource>(Json.Options))!.RunId;
    }

    private static async Task<MetricsPage> MetricsAsync(TestApp app, string url) =>
        (await app.Client.GetFromJsonAsync<MetricsPage>(url, Json.Options))!;
}
