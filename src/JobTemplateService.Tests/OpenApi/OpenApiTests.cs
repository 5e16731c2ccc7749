using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;

namespace JobTemplateService.Tests;

/// <summary>/swagger/v1/swagger.json: every endpoint the app maps, documented with its problems, security and examples.</summary>
public sealed class OpenApiTests
{
    [Fact]
    public async Task DocumentListsEveryApiEndpointTheAppMaps()
    {
        await using var app = await TestApp.StartAsync(ApiKeyRequests.ApiKeys); // with authentication: the admin API exists

        var document = await DocumentAsync(app);

        var mapped = app.Service<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/v1/") || e.RoutePattern.RawText!.StartsWith("/streamsets/"))
            .SelectMany(e => e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Select(m => $"{m} {Normalize(e.RoutePattern.RawText!)}"))
            .Order().ToList();
        var documented = Operations(document).Select(o => $"{o.Method.ToUpperInvariant()} {Normalize(o.Path)}").Order().ToList();
        Assert.True(mapped.Count >= 14, $"only {mapped.Count} endpoints found: {string.Join(", ", mapped)}");
        Assert.Equal(mapped, documented);
    }

    [Fact]
    public async Task EveryOperationHasASummaryAUniqueOperationIdAndProblemJsonErrorResponses()
    {
        await using var app = await TestApp.StartAsync();

        var document = await DocumentAsync(app);

        var operations = Operations(document).ToList();
        Assert.All(operations, o =>
        {
            var name = $"{o.Method} {o.Path}";
            Assert.False(string.IsNullOrWhiteSpace(o.Operation.GetProperty("summary").GetString()), $"{name} has no summary");
            Assert.False(string.IsNullOrWhiteSpace(o.Operation.GetProperty("operationId").GetString()), $"{name} has no operationId");
            var errors = o.Operation.GetProperty("responses").EnumerateObject().Where(r => int.Parse(r.Name) >= 400).ToList();
            Assert.Contains(errors, r => r.Name == "401");
            Assert.Contains(errors, r => r.Name == "403");
            Assert.All(errors, r =>
            {
                var media = Assert.Single(r.Value.GetProperty("content").EnumerateObject().ToList());
                Assert.Equal("application/problem+json", media.Name);
                var schema = media.Value.GetProperty("schema").GetProperty("$ref").GetString()!;
                Assert.Matches("^#/components/schemas/(Http(Validation)?)?ProblemDetails$", schema);
            });
        });
        Assert.Equal(operations.Count, operations.Select(o => o.Operation.GetProperty("operationId").GetString()).Distinct().Count());
        var problem = document.GetProperty("components").GetProperty("schemas").GetProperty("ProblemDetails").GetProperty("properties");
        Assert.All(["type", "title", "status", "detail"], p => Assert.True(problem.TryGetProperty(p, out _), $"ProblemDetails lacks {p}"));
    }

    [Fact]
    public async Task DocumentDeclaresTheApiKeyAndBearerSchemesAndEveryOperationAcceptsEither()
    {
        await using var app = await TestApp.StartAsync();

        var document = await DocumentAsync(app);

        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        var apiKey = schemes.GetProperty("ApiKey");
        Assert.Equal(("apiKey", "header", "X-API-Key"),
            (apiKey.GetProperty("type").GetString(), apiKey.GetProperty("in").GetString(), apiKey.GetProperty("name").GetString()));
        var bearer = schemes.GetProperty("Bearer");
        Assert.Equal(("http", "bearer"), (bearer.GetProperty("type").GetString(), bearer.GetProperty("scheme").GetString()));
        Assert.All(Operations(document), o => Assert.Equal(["ApiKey", "Bearer"],
            o.Operation.GetProperty("security").EnumerateArray().SelectMany(r => r.EnumerateObject().Select(s => s.Name)).Order()));
    }

    [Theory]
    [InlineData("/v1/runs", "202")]
    [InlineData("/streamsets/job-template-runner", "200")]
    [InlineData("/v1/runs/plan", null)]
    public async Task LaunchOperationsCarryARequestExampleAndAResponseExample(string path, string? status)
    {
        await using var app = await TestApp.StartAsync();

        var document = await DocumentAsync(app);

        var operation = document.GetProperty("paths").GetProperty(path).GetProperty("post");
        var example = operation.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("example");
        Assert.Equal(("http", "gcs"), (example.GetProperty("source-type").GetString(), example.GetProperty("target-type").GetString()));
        Assert.Equal("London", example.GetProperty("runtime-parameters")[0].GetProperty("CITY").GetString());
        if (status is null) return;
        var response = operation.GetProperty("responses").GetProperty(status).GetProperty("content").GetProperty("application/json");
        Assert.Equal("run-123", response.GetProperty("example").GetProperty("user-run-id").GetString());
    }

    [Fact]
    public async Task ListMetricsDocumentsBothItsJsonAndItsCsvAnswer()
    {
        await using var app = await TestApp.StartAsync();

        var document = await DocumentAsync(app);

        var ok = document.GetProperty("paths").GetProperty("/v1/metrics").GetProperty("get").GetProperty("responses").GetProperty("200");
        Assert.Equal(["application/json", "text/csv"], ok.GetProperty("content").EnumerateObject().Select(m => m.Name).Order());
    }

    private static async Task<JsonElement> DocumentAsync(TestApp app)
    {
        using var response = await app.Client.GetAsync("/swagger/v1/swagger.json");
        Assert.True(response.IsSuccessStatusCode, $"swagger.json answered {(int)response.StatusCode}");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static IEnumerable<(string Path, string Method, JsonElement Operation)> Operations(JsonElement document) =>
        document.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(m => (p.Name, m.Name, m.Value)));

    /// <summary>/v1/runs/{runId:guid}/ and /v1/runs/{runId} are the same route.</summary>
    private static string Normalize(string route) => "/" + Regex.Replace(route, @"\{(\w+):[^}]+\}", "{$1}").Trim('/');
}
