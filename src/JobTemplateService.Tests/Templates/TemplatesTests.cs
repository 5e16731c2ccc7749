using System.Net;
using System.Text.Json;

namespace JobTemplateService.Tests;

/// <summary>GET /v1/templates and /v1/templates/resolve: what a caller needs to build a launch, secrets masked.</summary>
public sealed class TemplatesTests
{
    private const string Connection = "9c960db9-7904-47c4-bbc8-4c95dcf9c959:8030c2e9-1a39-11ec-a5fe-97c8d4369386";
    private const string DbPassword = "db-password-41c7e2";

    [Fact]
    public async Task ListShowsTheReadmeExampleWithItsParameterListsLimitsAndMaskedSecrets()
    {
        await using var app = await StartAsync();

        using var response = await app.Client.GetAsync("/v1/templates");

        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var templates = JsonDocument.Parse(text).RootElement.GetProperty("templates").EnumerateArray().ToList();
        Assert.Equal([("ftp", "s3"), ("http", "gcs")],
            templates.Select(t => (t.GetProperty("source-type").GetString(), t.GetProperty("target-type").GetString())));
        var example = templates[1];
        Assert.Equal(("http-to-gcs", "controlhub", Seed.ExampleTemplateId), (example.GetProperty("pattern-name").GetString(),
            example.GetProperty("platform").GetString(), example.GetProperty("platform-template-id").GetString()));
        Assert.Equal(["HTTP_URL", "CITY"], Strings(example, "required-parameters"));
        Assert.Equal(["HTTP_METHOD"], Strings(example, "overridable-parameters"));
        Assert.Equal(["GCS_CONNECTION"], Strings(example, "secret-parameters"));
        var statics = example.GetProperty("static-parameters").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        Assert.Equal(new Dictionary<string, string?>
        {
            ["DB_PASSWORD"] = SecretMasker.Mask, ["GCS_CONNECTION"] = SecretMasker.Mask, ["HTTP_METHOD"] = "GET", ["HTTP_MODE"] = "POLLING",
        }, statics);
        Assert.Equal("02:00:00", example.GetProperty("max-wait").GetString());
        Assert.Equal(5, example.GetProperty("max-concurrent-instances").GetInt32());
        Assert.Equal(JsonValueKind.Null, templates[0].GetProperty("max-concurrent-instances").ValueKind);
        Assert.DoesNotContain(Connection, text);
        Assert.DoesNotContain(DbPassword, text);
    }

    [Fact]
    public async Task ResolveAnswersTheTemplateOfThePairAsTheListShowsIt()
    {
        await using var app = await StartAsync();
        var listed = JsonDocument.Parse(await app.Client.GetStringAsync("/v1/templates")).RootElement
            .GetProperty("templates").EnumerateArray().Single(t => t.GetProperty("source-type").GetString() == "http");

        using var response = await app.Client.GetAsync("/v1/templates/resolve?source-type=http&target-type=gcs");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var resolved = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(JsonText.Canonical(listed), JsonText.Canonical(resolved));
    }

    [Fact]
    public async Task ResolveOfAnUnknownPairAnswers404NoTemplate()
    {
        await using var app = await StartAsync();

        using var response = await app.Client.GetAsync("/v1/templates/resolve?source-type=http&target-type=s3");

        var problem = await response.ReadProblemAsync(HttpStatusCode.NotFound, "/problems/no-template");
        Assert.Contains("'s3'", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("", "source-type,target-type")]
    [InlineData("?source-type=http", "target-type")]
    [InlineData("?source-type=&target-type=gcs", "source-type")]
    public async Task ResolveWithoutBothQueryParametersAnswers400(string query, string missing)
    {
        await using var app = await StartAsync();

        using var response = await app.Client.GetAsync("/v1/templates/resolve" + query);

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest, "/problems/validation");
        Assert.Equal(missing.Split(','), problem.ErrorKeys());
    }

    private static async Task<TestApp> StartAsync()
    {
        var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        await app.Database.ExecuteAsync($$"""
            UPDATE streamsets.job_template
               SET required_parameters = '{HTTP_URL,CITY}', overridable_parameters = '{HTTP_METHOD}',
                   secret_parameters = '{GCS_CONNECTION}', max_wait = interval '2 hours', max_concurrent_instances = 5,
                   source_runtime_parameters = source_runtime_parameters || '{"DB_PASSWORD": "{{DbPassword}}"}'
            """);
        await app.Database.TemplateAsync("ftp", "s3", "d1e2f3a4-0000-4000-8000-000000000001:" + ControlHubSimulator.OrgId);
        return app;
    }

    private static IReadOnlyList<string?> Strings(JsonElement element, string property) =>
        element.GetProperty(property).EnumerateArray().Select(e => e.GetString()).ToList();
}
