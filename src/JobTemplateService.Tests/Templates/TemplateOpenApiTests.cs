using System.Text.Json;

namespace JobTemplateService.Tests;

/// <summary>The OpenAPI document describes the catalog's endpoints and the template body a client must send.</summary>
public sealed class TemplateOpenApiTests
{
    [Fact]
    public async Task TheTemplateBodyAndItsExampleAreDocumented()
    {
        await using var app = await TestApp.StartAsync();

        using var response = await app.Client.GetAsync("/swagger/v1/swagger.json");
        var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        var put = document.GetProperty("paths").GetProperty("/v1/admin/templates/{patternName}").GetProperty("put");
        var media = put.GetProperty("requestBody").GetProperty("content").GetProperty("application/json");
        Assert.EndsWith("/TemplateDefinition", media.GetProperty("schema").GetProperty("$ref").GetString());
        Assert.Equal("csv_filter", media.GetProperty("example").GetProperty("platform-template-id").GetString());
        var properties = document.GetProperty("components").GetProperty("schemas").GetProperty("TemplateDefinition").GetProperty("properties");
        Assert.All(["source-type", "target-type", "platform", "platform-template-id", "title", "description", "owner", "tags",
            "documentation-url", "enabled", "parameters", "static-parameters", "options"], p => Assert.True(properties.TryGetProperty(p, out _), p));
        Assert.True(document.GetProperty("paths").GetProperty("/v1/templates/{patternName}/platform-parameters").TryGetProperty("get", out _));
        Assert.True(document.GetProperty("paths").GetProperty("/v1/admin/templates/{patternName}/history").TryGetProperty("get", out _));
    }
}
