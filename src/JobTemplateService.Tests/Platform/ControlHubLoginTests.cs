using System.Net;
using System.Net.Http.Json;

namespace JobTemplateService.Tests;

/// <summary>
/// [streamsets] without url, as the original streamsets.ini: the organization's Control Hub is
/// found through the StreamSets login service (stubbed here), from the organization in the token.
/// </summary>
public sealed class ControlHubLoginTests
{
    [Fact]
    public async Task OnlyCredIdAndCredTokenFindControlHubThroughTheLoginServiceOnce()
    {
        await using var app = await TestApp.StartAsync(OnlyCredentials());
        await app.Database.ExampleTemplateAsync();

        using var first = await app.PostRawAsync("/v1/runs", Seed.TwoCityBody);
        var run = (await first.Content.ReadFromJsonAsync<RunResource>(Json.Options))!;
        await app.MonitorPassAsync();

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(RunStates.Running, run.State);
        Assert.Equal(2, app.ControlHub.Jobs.Count);
        var login = Assert.Single(app.ControlHub.LoginCalls);
        Assert.Equal($"/api/security/public/v3/orgs/{ControlHubSimulator.OrgId}/info", login.RequestMessage!.Path);
        Assert.Null(login.Header("X-SS-App-Auth-Token"));
        Assert.Null(login.Header("X-SS-App-Component-Id"));
        Assert.Equal("true", login.Header("X-SS-REST-CALL"));
        Assert.Contains(app.ControlHub.Calls("POST", "/jobs/status"), c => c.Status() == 200);
    }

    [Fact]
    public async Task AnUnreachableLoginServiceRefusesLaunchesWith503UntilItAnswers()
    {
        using var loginService = new ControlHubSimulator { LoginFailure = 503 }; // failing from before the service starts
        await using var app = await TestApp.StartAsync(settings =>
        {
            OnlyCredentials()(settings);
            loginService.LandingBaseUrl = settings["streamsets:login_url"];
            settings["streamsets:login_url"] = loginService.Url;
        });
        await app.Database.ExampleTemplateAsync();

        using var refused = await app.PostRawAsync("/v1/runs", Seed.TwoCityBody);
        using var notReady = await app.Client.GetAsync("/health/ready");
        var rowsAfterRefusal = await app.Database.LaunchRowsAsync();
        loginService.LoginFailure = null;
        var ready = await ReadyWithinAsync(app, TimeSpan.FromSeconds(20));
        using var accepted = await app.PostRawAsync("/v1/runs", Seed.TwoCityBody);

        await refused.ReadProblemAsync(HttpStatusCode.ServiceUnavailable, "/problems/platform-unavailable");
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, "503 without Retry-After");
        Assert.Equal((0L, 0L, 0L), rowsAfterRefusal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.True(ready, "not ready once the login service answered");
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.True(loginService.LoginCalls.Count >= 2, $"{loginService.LoginCalls.Count} look-up(s)");
        Assert.Equal(1, app.ControlHub.CreateCalls);
        Assert.DoesNotContain(app.ControlHub.AllCalls, c => c.RequestMessage!.Path.StartsWith("/jobrunner/") && c.Status() != 200);
    }

    [Fact]
    public async Task AConfiguredUrlIsUsedWithoutAskingTheLoginService()
    {
        await using var app = await TestApp.StartAsync(settings =>
        {
            settings["streamsets:login_url"] = settings["streamsets:url"];
        });
        await app.Database.ExampleTemplateAsync();

        using var response = await app.PostRawAsync("/v1/runs", Seed.TwoCityBody);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Empty(app.ControlHub.LoginCalls);
    }

    /// <summary>The service looks the URL up again by itself: no call needs to trigger it.</summary>
    private static async Task<bool> ReadyWithinAsync(TestApp app, TimeSpan timeout)
    {
        for (var waited = TimeSpan.Zero; waited < timeout; waited += TimeSpan.FromMilliseconds(200))
        {
            using var ready = await app.Client.GetAsync("/health/ready");
            if (ready.StatusCode == HttpStatusCode.OK) return true;
            await Task.Delay(200);
        }
        return false;
    }

    /// <summary>[streamsets] with cred_id and cred_token only; the login service is the simulator's stub instead of StreamSets' own.</summary>
    private static Action<Dictionary<string, string?>> OnlyCredentials() => settings =>
    {
        settings["streamsets:login_url"] = settings["streamsets:url"];
        settings.Remove("streamsets:url");
        settings["ControlHubClient:LoginRetryDelay"] = "00:00:00";
        Assert.Equal(["streamsets:cred_id", "streamsets:cred_token", "streamsets:login_url"],
            settings.Keys.Where(k => k.StartsWith("streamsets:")).Order());
    };
}
