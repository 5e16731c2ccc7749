using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace JobTemplateService.Tests;

/// <summary>POST /v1/runs/{run-id}/relaunch?only=failed: a new run of the parameter sets whose instances ended badly.</summary>
public sealed class RelaunchTests
{
    // Fails for one city only, as a data problem would.
    private const string FailsForAtlantis = "sh -c 'echo \"city $CITY\"; test \"$CITY\" != Atlantis'";

    [Fact]
    public async Task RelaunchStartsANewRunOfOnlyTheFailedInstancesNamingTheOriginal()
    {
        await using var app = await TestApp.StartAsync(LocalJobs.Command("cities", FailsForAtlantis));
        await app.Database.LocalTemplateAsync("cities");
        var original = await FailedRunAsync(app, "relaunch-1");

        using var response = await app.Client.PostAsync($"/v1/runs/{original.RunId}/relaunch?only=failed", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var relaunched = JsonSerializer.Deserialize<RunResource>(await response.Content.ReadAsStringAsync(), Json.Options)!;
        Assert.NotEqual(original.RunId, relaunched.RunId);
        Assert.Equal(original.RunId, relaunched.RelaunchOf);
        Assert.Equal((original.UserId, original.UserRunId), (relaunched.UserId, relaunched.UserRunId));
        Assert.Equal(["Atlantis"], relaunched.Instances.Select(i => i.Parameters["CITY"]));
        Assert.Equal(response.Headers.Location?.ToString(), relaunched.Links.Self);
    }

    [Fact]
    public async Task TheSameRelaunchTwiceAnswersTheSameNewRun()
    {
        await using var app = await TestApp.StartAsync(LocalJobs.Command("cities", FailsForAtlantis));
        await app.Database.LocalTemplateAsync("cities");
        var original = await FailedRunAsync(app, "relaunch-2");

        var first = await RelaunchAsync(app, original.RunId, "key-1");
        var again = await RelaunchAsync(app, original.RunId, "key-1");
        var other = await RelaunchAsync(app, original.RunId, "key-2");

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.Equal(3L, await app.Database.ScalarAsync<long>("SELECT count(*) FROM streamsets.run"));
    }

    [Fact]
    public async Task RelaunchOfARunWhereNothingFailedAnswers409AndLaunchesNothing()
    {
        await using var app = await TestApp.StartAsync(LocalJobs.Command("cities", FailsForAtlantis));
        await app.Database.LocalTemplateAsync("cities");
        var run = await app.WaitForRunAsync((await app.LaunchAsync(LocalJobs.Body("relaunch-3", new JsonObject { ["CITY"] = "Paris" }))).RunId);

        using var response = await app.Client.PostAsync($"/v1/runs/{run.RunId}/relaunch?only=failed", null);

        Assert.Equal(RunStates.Succeeded, run.State);
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("nothing-to-relaunch", await response.Content.ReadAsStringAsync());
        Assert.Equal(1L, await app.Database.ScalarAsync<long>("SELECT count(*) FROM streamsets.run"));
    }

    [Fact]
    public async Task RelaunchOfAnUnknownRunAnswers404AndOnlyOtherThanFailedAnswers400()
    {
        await using var app = await TestApp.StartAsync(LocalJobs.Command("cities", FailsForAtlantis));

        using var unknown = await app.Client.PostAsync($"/v1/runs/{Guid.NewGuid()}/relaunch", null);
        using var all = await app.Client.PostAsync($"/v1/runs/{Guid.NewGuid()}/relaunch?only=all", null);

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, all.StatusCode);
    }

    private static async Task<RunResource> FailedRunAsync(TestApp app, string userRunId)
    {
        var launched = await app.LaunchAsync(LocalJobs.Body(userRunId, new JsonObject { ["CITY"] = "London" }, new JsonObject { ["CITY"] = "Atlantis" }));
        var run = await app.WaitForRunAsync(launched.RunId);
        Assert.Equal(RunStates.Failed, run.State);
        return run;
    }

    private static async Task<Guid> RelaunchAsync(TestApp app, Guid runId, string idempotencyKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/runs/{runId}/relaunch?only=failed");
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        using var response = await app.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"Relaunch answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("run-id").GetGuid();
    }
}
