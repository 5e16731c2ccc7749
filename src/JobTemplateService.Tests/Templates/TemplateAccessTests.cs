using System.Net;
using System.Text.Json.Nodes;

namespace JobTemplateService.Tests;

/// <summary>API keys limited to templates by pattern-name glob or tag: what they see, launch, plan and read.</summary>
public sealed class TemplateAccessTests
{
    [Fact]
    public async Task AKeyLimitedToATagSeesAndLaunchesOnlyThoseTemplates()
    {
        await using var app = await TestApp.StartAsync(ApiKeyRequests.ApiKeys);
        await app.PutTemplateAsync("weather", TemplateDefinitions.WeatherToGcs().With("parameters", null), ApiKeyRequests.BootstrapKey);
        await app.PutTemplateAsync("s3-export", TemplateDefinitions.WeatherToGcs("http", "s3").With("parameters", null)
            .With("tags", new JsonArray("ops")), ApiKeyRequests.BootstrapKey);
        var key = (await app.Service<ApiKeyRepository>().CreateAsync("finance", ["launch", "read"], CancellationToken.None, ["tag:finance"])).Key;
        var everything = await app.CreateKeyAsync("all", "launch", "read");

        var seen = await ListedAsync(app, key);
        using var launched = await app.SendAsync(HttpMethod.Post, "/v1/runs", key, LaunchBodies.Body());
        using var refused = await app.SendAsync(HttpMethod.Post, "/v1/runs", key, LaunchBodies.Body("run-2", target: "s3"));
        using var refusedOriginal = await app.SendAsync(HttpMethod.Post, "/streamsets/job-template-runner", key, LaunchBodies.Body("run-3", target: "s3"));
        using var plan = await app.SendAsync(HttpMethod.Post, "/v1/runs/plan", key, LaunchBodies.Body("run-4", target: "s3"));
        using var resolve = await app.SendAsync(HttpMethod.Get, "/v1/templates/resolve?source-type=http&target-type=s3", key);

        Assert.Equal(["weather"], seen);
        Assert.Equal(["s3-export", "weather"], (await ListedAsync(app, everything)).Order());
        Assert.Equal(HttpStatusCode.Accepted, launched.StatusCode);
        foreach (var response in new[] { refused, refusedOriginal, plan, resolve })
        {
            var problem = await response.ReadProblemAsync(HttpStatusCode.Forbidden, "/problems/forbidden");
            Assert.Equal("s3-export", problem.GetProperty("template").GetString());
            Assert.Contains("'s3-export'", problem.GetProperty("detail").GetString());
        }
        Assert.Equal(1, await app.Database.ScalarAsync<long>("SELECT count(*) FROM streamsets.run"));
    }

    [Fact]
    public async Task AGlobLimitsByPatternNameAndReadingRunsIsUnaffected()
    {
        await using var app = await TestApp.StartAsync(ApiKeyRequests.ApiKeys);
        await app.Database.ExampleTemplateAsync();
        var other = await app.CreateKeyAsync("other", "launch", "read");
        using var launched = await app.SendAsync(HttpMethod.Post, "/v1/runs", other, LaunchBodies.Body());
        var runId = JsonNode.Parse(await launched.Content.ReadAsStringAsync())!["run-id"]!.GetValue<Guid>();
        var http = (await app.Service<ApiKeyRepository>().CreateAsync("http", ["launch", "read"], CancellationToken.None, ["http-to-*"])).Key;
        var s3 = (await app.Service<ApiKeyRepository>().CreateAsync("s3", ["launch", "read"], CancellationToken.None, ["*-to-s3"])).Key;

        using var allowed = await app.SendAsync(HttpMethod.Post, "/v1/runs/plan", http, LaunchBodies.Body("run-9"));
        using var denied = await app.SendAsync(HttpMethod.Post, "/v1/runs/plan", s3, LaunchBodies.Body("run-9"));
        using var read = await app.SendAsync(HttpMethod.Get, $"/v1/runs/{runId}", s3);

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        await denied.ReadProblemAsync(HttpStatusCode.Forbidden, "/problems/forbidden");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Empty(await ListedAsync(app, s3));
    }

    [Fact]
    public async Task KeysAreLimitedFromTheCommandLineAndTheAdminApi()
    {
        await using var app = await TestApp.StartAsync(ApiKeyRequests.ApiKeys);
        var output = new StringWriter();

        var exit = await ApiKeyCommands.RunAsync(app.Service<ApiKeyRepository>(),
            ["keys", "create", "cli", "--scopes", "launch,read", "--templates", "http-to-*, tag:finance"], output, CancellationToken.None);
        using var created = await app.SendAsync(HttpMethod.Post, "/v1/admin/api-keys", ApiKeyRequests.BootstrapKey,
            new JsonObject { ["name"] = "api", ["scopes"] = new JsonArray("read"), ["templates"] = new JsonArray("tag:ops") });
        using var invalid = await app.SendAsync(HttpMethod.Post, "/v1/admin/api-keys", ApiKeyRequests.BootstrapKey,
            new JsonObject { ["name"] = "bad", ["scopes"] = new JsonArray("read"), ["templates"] = new JsonArray("tag:") });

        Assert.Equal(0, exit);
        Assert.Contains("limited to templates http-to-*,tag:finance", output.ToString());
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Contains("tag:ops", await created.Content.ReadAsStringAsync());
        var problem = await invalid.ReadProblemAsync(HttpStatusCode.BadRequest, "/problems/validation");
        Assert.Equal(["templates"], problem.ErrorKeys());
        Assert.Equal(["api:tag:ops", "cli:http-to-*,tag:finance"], await app.Database.StringsAsync(
            "SELECT name || ':' || array_to_string(templates, ',') FROM streamsets.api_key ORDER BY name"));
    }

    private static async Task<List<string>> ListedAsync(TestApp app, string key)
    {
        using var response = await app.SendAsync(HttpMethod.Get, "/v1/templates", key);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonNode.Parse(text)!["templates"]!.AsArray().Select(t => (string)t!["pattern-name"]!).ToList();
    }
}
