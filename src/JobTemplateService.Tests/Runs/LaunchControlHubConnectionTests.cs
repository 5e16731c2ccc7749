using System.Net;
using System.Net.Http.Json;

namespace JobTemplateService.Tests;

/// <summary>How a launch reaches Control Hub: a moved organization, an unreachable host, wrong credentials.</summary>
public sealed class LaunchControlHubConnectionTests
{
    [Fact]
    public async Task LaunchFollowsTheOrgMovedRedirectAndCreatesOnce()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        app.ControlHub.MoveOrganization();

        using var response = await app.PostRawAsync("/v1/runs", Seed.TwoCityBody);

        var run = (await response.Content.ReadFromJsonAsync<RunResource>(Json.Options))!;
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(RunStates.Running, run.State);
        Assert.Equal(1, app.ControlHub.CreateCalls);
        Assert.Equal(2, app.ControlHub.Jobs.Count);
        Assert.Equal(2, Assert.Single(app.ControlHub.CreateBodies)["runtimeParametersList"]!.AsArray().Count);
    }

    [Fact]
    public async Task LaunchAnswers503WithRetryAfterAndRecordsNothingWhenControlHubCannotBeReached()
    {
        await using var app = await TestApp.StartAsync(settings => settings["streamsets:url"] = "http://127.0.0.1:9");
        await app.Database.ExampleTemplateAsync();

        using var response = await app.PostRawAsync("/v1/runs", Seed.TwoCityBody);

        await response.ReadProblemAsync(HttpStatusCode.ServiceUnavailable, "/problems/platform-unavailable");
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "503 without Retry-After");
        Assert.Equal((0L, 0L, 0L), await app.Database.LaunchRowsAsync());
    }

    [Fact]
    public async Task RefusedLaunchIsStartedOnlyByTheCallersRepeatNeverBehindTheirBack()
    {
        await using var database = await TestDatabase.CreateAsync();
        await database.ExampleTemplateAsync();
        Action<Dictionary<string, string?>> unreachable = settings => settings["streamsets:url"] = "http://127.0.0.1:9";
        await using (var down = await TestApp.StartAsync(unreachable, database: database))
        {
            using var refused = await down.PostRawAsync("/v1/runs", Seed.TwoCityBody);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        }
        await using var app = await TestApp.StartAsync(database: database);

        using var repeated = await app.PostRawAsync("/v1/runs", Seed.TwoCityBody);
        // The refusal's Retry-After (10 s) has passed: whatever is still due is due now.
        await database.ExecuteAsync("UPDATE streamsets.run_instance SET next_check_at = now()");
        await app.MonitorPassAsync();

        Assert.Equal(HttpStatusCode.Accepted, repeated.StatusCode);
        Assert.Equal(1, app.ControlHub.CreateCalls);
        Assert.Equal(2, app.ControlHub.Jobs.Count);
        Assert.Equal((1L, 2L, 1L), await app.Database.LaunchRowsAsync());
    }

    [Fact]
    public async Task LaunchAnswers502WhenControlHubRefusesTheCredentials()
    {
        await using var app = await TestApp.StartAsync(settings => settings["streamsets:cred_token"] = ControlHubSimulator.Token(ControlHubSimulator.OrgId, "wrong-signature"));
        await app.Database.ExampleTemplateAsync();

        using var response = await app.PostRawAsync("/v1/runs", Seed.TwoCityBody);

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadGateway, "/problems/platform-rejected");
        Assert.Equal("SECURITY_01", problem.GetProperty("platform-code").GetString());
        Assert.Empty(app.ControlHub.Jobs);
    }
}
