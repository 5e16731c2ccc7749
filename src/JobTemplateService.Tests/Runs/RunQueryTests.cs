using System.Net;
using System.Net.Http.Json;

namespace JobTemplateService.Tests;

public sealed class RunQueryTests
{
    [Fact]
    public async Task GetOfAnUnknownRunAnswers404Problem()
    {
        await using var app = await TestApp.StartAsync();
        var runId = Guid.NewGuid();

        using var response = await app.Client.GetAsync($"/v1/runs/{runId}");

        var problem = await response.ReadProblemAsync(HttpStatusCode.NotFound, "/problems/not-found");
        Assert.Contains(runId.ToString(), problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task GetOfARunIdThatIsNotAGuidAnswers404Problem()
    {
        await using var app = await TestApp.StartAsync();

        using var response = await app.Client.GetAsync("/v1/runs/run-123");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ListFiltersByUserRunIdAndUserIdNewestFirstWithInstances()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        var annFirst = await LaunchAsync(app, "ann", "r1", 2);
        var annSecond = await LaunchAsync(app, "ann", "r2", 1);
        var bobFirst = await LaunchAsync(app, "bob", "r1", 1);

        var byUserRunId = await ListAsync(app, "/v1/runs?user-run-id=r1");
        var byUserId = await ListAsync(app, "/v1/runs?user-id=ann");
        var byBoth = await ListAsync(app, "/v1/runs?user-run-id=r1&user-id=ann");

        Assert.Equal([bobFirst, annFirst], byUserRunId.Runs.Select(r => r.RunId));
        Assert.Equal([annSecond, annFirst], byUserId.Runs.Select(r => r.RunId));
        var run = Assert.Single(byBoth.Runs);
        Assert.Equal((annFirst, "ann", "r1"), (run.RunId, run.UserId, run.UserRunId));
        Assert.Equal(2, run.Instances.Count);
        Assert.All(run.Instances, i => Assert.Equal(InstanceStates.Running, i.State));
        Assert.All(run.Instances, i => Assert.Contains(i.PlatformJobId, app.ControlHub.Jobs.Select(j => j.Id)));
        Assert.Null(byBoth.NextCursor);
    }

    [Fact]
    public async Task ListPagesWithLimitAndCursorUntilNoNextLinkIsGiven()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        var launched = new List<Guid>();
        for (var i = 1; i <= 5; i++) launched.Add(await LaunchAsync(app, "ann", $"r{i}", 1));

        var first = await ListAsync(app, "/v1/runs?user-id=ann&limit=2");
        var second = await ListAsync(app, first.Next!);
        var third = await ListAsync(app, $"/v1/runs?user-id=ann&limit=2&cursor={second.NextCursor}");

        Assert.Equal(2, first.Runs.Count);
        Assert.Equal(first.Runs[^1].RunId.ToString(), first.NextCursor);
        Assert.StartsWith("/v1/runs?", first.Next);
        Assert.Contains("limit=2", first.Next);
        Assert.Contains("user-id=ann", first.Next);
        Assert.Equal(2, second.Runs.Count);
        Assert.Single(third.Runs);
        Assert.Equal((null, null), (third.NextCursor, third.Next));
        launched.Reverse();
        Assert.Equal(launched, first.Runs.Concat(second.Runs).Concat(third.Runs).Select(r => r.RunId));
    }

    [Fact]
    public async Task ListFiltersByState()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        var running = await LaunchAsync(app, "ann", "r1", 1);
        app.ControlHub.OnCreate = _ => CreateAnswer.Rejected("JOBRUNNER_123", "Job template is not valid");
        using var rejected = await app.PostJsonAsync("/v1/runs", LaunchBodies.Body("r2", "ann"));

        var failed = await ListAsync(app, "/v1/runs?state=FAILED");
        var live = await ListAsync(app, "/v1/runs?state=RUNNING");

        Assert.Equal(HttpStatusCode.BadGateway, rejected.StatusCode);
        Assert.Equal("r2", Assert.Single(failed.Runs).UserRunId);
        Assert.Equal(running, Assert.Single(live.Runs).RunId);
    }

    [Theory]
    [InlineData("state=DONE", "state")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=501", "limit")]
    [InlineData("cursor=page-2", "cursor")]
    public async Task ListRejectsInvalidQueryNamingTheParameter(string query, string parameter)
    {
        await using var app = await TestApp.StartAsync();

        using var response = await app.Client.GetAsync($"/v1/runs?{query}");

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest, "/problems/validation");
        Assert.Equal([parameter], problem.ErrorKeys());
    }

    [Fact]
    public async Task ListRejectsALimitThatIsNotANumber()
    {
        await using var app = await TestApp.StartAsync();

        using var response = await app.Client.GetAsync("/v1/runs?limit=ten");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static async Task<Guid> LaunchAsync(TestApp app, string userId, string userRunId, int instances)
    {
        var sets = Enumerable.Range(0, instances).Select(i => LaunchBodies.City($"City {i}")).ToArray();
        using var response = await app.PostJsonAsync("/v1/runs", LaunchBodies.Body(userRunId, userId, sets: sets));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<RunResource>(Json.Options))!.RunId;
    }

    private static async Task<RunPage> ListAsync(TestApp app, string url) =>
        (await app.Client.GetFromJsonAsync<RunPage>(url, Json.Options))!;
}
