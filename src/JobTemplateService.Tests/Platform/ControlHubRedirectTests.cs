using System.Net;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace JobTemplateService.Tests;

/// <summary>
/// Control Hub's 308 "organization moved" is followed only to https on an allowed host (by default
/// the configured host's parent domain), never to http or an IP literal elsewhere; otherwise the
/// call fails clearly and the credential goes nowhere else.
/// </summary>
public sealed class ControlHubRedirectTests
{
    [Fact]
    public async Task LaunchRedirectedToAnotherHostFailsClearlyAndTheCredentialGoesNowhereElse()
    {
        using var thief = StartThief();
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        app.ControlHub.MoveOrganizationTo(thief.Url!.Replace("localhost", "127.0.0.1"));

        using var response = await app.PostRawAsync("/v1/runs", Seed.TwoCityBody);

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadGateway, "/problems/platform-rejected");
        Assert.Contains("redirect", problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Empty(thief.LogEntries);
    }

    [Fact]
    public async Task StatusReadRedirectedToAnotherHostFailsNamingTheRefusedTargetAndSendsNothingThere()
    {
        using var thief = StartThief();
        await using var app = await TestApp.StartAsync();
        var jobId = (await app.Service<ControlHubPlatform>().StartJobsAsync("London"))[0].JobId;
        app.ControlHub.MoveOrganizationTo(thief.Url!);

        var failure = await Record.ExceptionAsync(() => app.Service<ControlHubClient>().GetStatusesAsync([jobId], default));

        Assert.NotNull(failure);
        Assert.Contains(new Uri(thief.Url!).Authority, failure.Message);
        Assert.Empty(thief.LogEntries);
    }

    [Theory]
    [InlineData("https://na01.hub.streamsets.com/", "https://eu01.hub.streamsets.com/jobrunner", "", true)]
    [InlineData("https://na01.hub.streamsets.com/", "https://na01.hub.streamsets.com/moved/jobrunner", "", true)]
    [InlineData("http://localhost:8080/", "http://localhost:8080/moved/jobrunner", "", true)]
    [InlineData("https://na01.hub.streamsets.com/", "http://eu01.hub.streamsets.com/jobrunner", "", false)]
    [InlineData("https://na01.hub.streamsets.com/", "https://203.0.113.7/jobrunner", "", false)]
    [InlineData("https://na01.hub.streamsets.com/", "https://[2001:db8::1]/jobrunner", "", false)]
    [InlineData("https://na01.hub.streamsets.com/", "https://attacker.example.com/jobrunner", "", false)]
    [InlineData("https://na01.hub.streamsets.com/", "https://hub.streamsets.com.attacker.example/jobrunner", "", false)]
    [InlineData("https://sch.example.com/", "https://example.com.evil/x", "", false)]
    [InlineData("https://sch.corp.example.com/", "https://sch2.corp.example.com/x", "", true)]
    [InlineData("https://sch.corp.example.com/", "https://sch.other.example.com/x", "*.example.com", true)]
    [InlineData("https://sch.corp.example.com/", "https://sch2.corp.example.com/x", "sch.other.example.com", false)]
    [InlineData("http://localhost:8080/", "http://localhost:9090/x", "localhost", false)]
    public void RedirectIsFollowedOnlyToHttpsOnAnAllowedHostName(string configured, string target, string allowed, bool follows)
    {
        var hosts = allowed.Split(',', StringSplitOptions.RemoveEmptyEntries);

        var refusal = ControlHubRedirects.Refusal(new Uri(configured), new Uri(target), hosts);

        Assert.True(follows == refusal is null, refusal ?? "followed");
    }

    private static WireMockServer StartThief()
    {
        var thief = WireMockServer.Start();
        thief.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(200).WithBody("[]"));
        return thief;
    }
}
