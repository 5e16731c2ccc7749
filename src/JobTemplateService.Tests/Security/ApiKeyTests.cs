using System.Net;
using System.Text.Json;

namespace JobTemplateService.Tests;

/// <summary>Security:Mode=ApiKeys: who gets in (401), what each scope allows (403), and what a key's name is used for.</summary>
public sealed class ApiKeyTests
{
    [Theory]
    [InlineData("GET", "/v1/runs")]
    [InlineData("POST", "/v1/runs")]
    [InlineData("GET", "/v1/admin/api-keys")]
    public async Task RequestWithoutAKeyIsRefused401WithAProblemAndAChallenge(string method, string path)
    {
        await using var app = await StartAsync();

        using var response = await app.SendAsync(new HttpMethod(method), path, key: null, body: LaunchBodies.Body());

        await response.ReadProblemAsync(HttpStatusCode.Unauthorized, "/problems/unauthorized");
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        await app.AssertNothingLaunchedAsync();
    }

    [Theory]
    [InlineData("jts_0123456789_thisIsNotTheSecretOfAnyKeyAtAll00000000000")]
    [InlineData("not-even-shaped-like-a-key")]
    public async Task UnknownKeyIsRefused401(string key)
    {
        await using var app = await StartAsync();
        await app.CreateKeyAsync("real", "launch", "read");

        using var response = await app.SendAsync(HttpMethod.Get, "/v1/runs", key);

        await response.ReadProblemAsync(HttpStatusCode.Unauthorized, "/problems/unauthorized");
    }

    [Fact]
    public async Task RevokedKeyIsRefused401()
    {
        await using var app = await StartAsync();
        var key = await app.CreateKeyAsync("leaving", "read");
        using var before = await app.SendAsync(HttpMethod.Get, "/v1/runs", key);

        await app.Service<ApiKeyRepository>().RevokeAsync("leaving", CancellationToken.None);
        using var after = await app.SendAsync(HttpMethod.Get, "/v1/runs", key);

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        await after.ReadProblemAsync(HttpStatusCode.Unauthorized, "/problems/unauthorized");
    }

    [Theory]
    [InlineData("read", "GET", "/v1/runs", 200)]
    [InlineData("read", "GET", "/v1/templates", 200)]
    [InlineData("read", "GET", "/v1/metrics", 200)]
    [InlineData("read", "POST", "/v1/runs/plan", 200)]
    [InlineData("read", "POST", "/v1/runs", 403)]
    [InlineData("read", "POST", "/streamsets/job-template-runner", 403)]
    [InlineData("launch", "POST", "/v1/runs", 202)]
    [InlineData("launch", "POST", "/streamsets/job-template-runner", 200)]
    [InlineData("launch", "GET", "/v1/runs", 403)]
    [InlineData("launch,read", "GET", "/v1/admin/api-keys", 403)]
    [InlineData("launch,read", "POST", "/v1/admin/api-keys", 403)]
    [InlineData("admin", "GET", "/v1/admin/api-keys", 200)]
    [InlineData("admin", "POST", "/v1/runs", 202)]
    [InlineData("admin", "GET", "/v1/runs", 200)]
    public async Task EachScopeAllowsItsEndpointsAndNoOthers(string scopes, string method, string path, int status)
    {
        await using var app = await StartAsync();
        var key = await app.CreateKeyAsync("caller", scopes.Split(','));

        using var response = await app.SendAsync(new HttpMethod(method), path, key, LaunchBodies.Body());
        var launched = method == "POST" && status < 300 && path != "/v1/runs/plan";

        if (status == 403) await response.ReadProblemAsync(HttpStatusCode.Forbidden, "/problems/forbidden");
        else Assert.Equal((HttpStatusCode)status, response.StatusCode);
        Assert.Equal(launched ? 1 : 0, app.ControlHub.CreateCalls);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task KeyIsAcceptedAsBearerTokenAndAsXApiKey(bool asBearer)
    {
        await using var app = await StartAsync();
        var key = await app.CreateKeyAsync("ci", "launch", "read");

        using var launch = await app.SendAsync(HttpMethod.Post, "/v1/runs", key, LaunchBodies.Body(), asBearer);
        using var get = await app.SendAsync(HttpMethod.Get, launch.Headers.Location!.OriginalString, key, asBearer: asBearer);

        Assert.Equal(HttpStatusCode.Accepted, launch.StatusCode);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
    }

    [Fact]
    public async Task TheKeyNameIsRecordedAsRequestedByOnTheRun()
    {
        await using var app = await StartAsync();
        var key = await app.CreateKeyAsync("github-actions", "launch", "read");

        using var response = await app.SendAsync(HttpMethod.Post, "/v1/runs", key, LaunchBodies.Body());

        using var run = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("github-actions", run.RootElement.GetProperty("requested-by").GetString());
        Assert.Equal(["github-actions"], await app.Database.StringsAsync("SELECT requested_by FROM streamsets.run"));
    }

    [Fact]
    public async Task IdempotencyKeysAreScopedPerApiKey()
    {
        await using var app = await StartAsync();
        var alice = await app.CreateKeyAsync("alice", "launch", "read");
        var bob = await app.CreateKeyAsync("bob", "launch", "read");

        using var first = await app.SendAsync(HttpMethod.Post, "/v1/runs", alice, LaunchBodies.Body(), idempotencyKey: "deploy-42");
        using var other = await app.SendAsync(HttpMethod.Post, "/v1/runs", bob, LaunchBodies.Body(), idempotencyKey: "deploy-42");
        using var again = await app.SendAsync(HttpMethod.Post, "/v1/runs", alice, LaunchBodies.Body(), idempotencyKey: "deploy-42");

        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.Accepted], [first.StatusCode, other.StatusCode, again.StatusCode]);
        Assert.NotEqual(first.Headers.Location, other.Headers.Location);
        Assert.Equal(first.Headers.Location, again.Headers.Location);
        Assert.Equal(2, app.ControlHub.CreateCalls);
        Assert.Equal(["alice", "bob"], await app.Database.StringsAsync("SELECT requested_by FROM streamsets.run ORDER BY requested_by"));
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    [InlineData("/metrics")]
    [InlineData("/swagger/v1/swagger.json")]
    [InlineData("/swagger/index.html")]
    public async Task HealthMetricsAndSwaggerNeedNoKey(string path)
    {
        await using var app = await StartAsync();

        using var response = await app.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<TestApp> StartAsync()
    {
        var app = await TestApp.StartAsync(ApiKeyRequests.ApiKeys);
        await app.Database.ExampleTemplateAsync();
        return app;
    }
}
