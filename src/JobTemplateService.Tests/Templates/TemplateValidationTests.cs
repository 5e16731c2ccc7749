using System.Net;
using System.Text.Json.Nodes;

namespace JobTemplateService.Tests;

/// <summary>PUT validates everything before it changes anything, and names the field of each problem (400).</summary>
public sealed class TemplateValidationTests
{
    public static TheoryData<string, string, string, string> Refusals => new()
    {
        // field to change, its new value (JSON), the error key, words of the message
        { "parameters", """{"type": "object", "properties": {"N": {"minLength": -1}}}""", "parameters", "not a valid JSON Schema" },
        { "parameters", """{"type": "object", "properties": {"N": {"$ref": "https://example.com/n.json"}}}""", "parameters", "is remote" },
        { "parameters", """{"type": "object", "properties": {"N": {"type": "integer", "maximum": 3, "default": 9}}}""", "parameters", "breaks its own schema" },
        { "static-parameters.source-runtime-parameters", """{"HTTP_MODE": {"nested": true}}""", "static-parameters.source-runtime-parameters.HTTP_MODE", "strings, numbers or booleans" },
        { "platform", "\"mainframe\"", "platform", "one of controlhub, local, kubernetes" },
        { "platform", "\"local\"", "platform-template-id", "no local command" },
        { "platform-template-id", "\"\"", "platform-template-id", "is required" },
        { "source-type", "null", "source-type", "is required" },
        { "documentation-url", "\"ftp://example.com\"", "documentation-url", "http or https" },
        { "options.max-wait", "\"-01:00:00\"", "options.max-wait", "positive duration" },
        { "options.instance-name-suffix", "\"PARAM_VALUE\"", "options.instance-name-parameter", "PARAM_VALUE" },
        { "titel", "\"typo\"", "", "titel" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task AnInvalidTemplateIsRefusedNamingTheProblemAndNothingIsStored(string field, string value, string key, string words)
    {
        await using var app = await TestApp.StartAsync();

        using var response = await app.PutTemplateAsync("weather", TemplateDefinitions.WeatherToGcs().With(field, JsonNode.Parse(value)));

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest, "/problems/validation");
        Assert.Contains(key, problem.ErrorKeys());
        Assert.Contains(words, problem.GetProperty("errors").GetProperty(key).ToString());
        Assert.Equal(0, await app.Database.ScalarAsync<long>("SELECT count(*) FROM streamsets.ingestion_pattern"));
        Assert.Equal(0, await app.Database.ScalarAsync<long>("SELECT count(*) FROM streamsets.template_change"));
    }

    [Fact]
    public async Task AnotherRuleForTheSamePairIsRefused()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();

        using var response = await app.PutTemplateAsync("weather", TemplateDefinitions.WeatherToGcs());

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest, "/problems/validation");
        Assert.Contains("http-to-gcs", problem.GetProperty("errors").GetProperty("source-type").ToString());
        Assert.Equal(1, await app.Database.ScalarAsync<long>("SELECT count(*) FROM streamsets.ingestion_pattern"));
    }

    [Fact]
    public async Task ALocalTemplateNeedsItsCommandInPlatformIni()
    {
        await using var app = await TestApp.StartAsync(LocalJobs.Command("csv_filter", "sh -c true"));
        var local = TemplateDefinitions.WeatherToGcs().With("platform", "local").With("parameters", null);

        using var known = await app.PutTemplateAsync("weather", local.With("platform-template-id", "csv_filter"));
        using var unknown = await app.PutTemplateAsync("other", local.With("platform-template-id", "nope").With("source-type", "x"));

        Assert.Equal(HttpStatusCode.Created, known.StatusCode);
        await unknown.ReadProblemAsync(HttpStatusCode.BadRequest, "/problems/validation");
    }
}
