using System.Net;
using System.Text.Json.Nodes;

namespace JobTemplateService.Tests;

/// <summary>PUT, GET, DELETE and the history of /v1/admin/templates: one transaction, idempotent, audited, secrets masked.</summary>
public sealed class TemplateAdminApiTests
{
    [Fact]
    public async Task PutCreatesRuleTemplateAndRelationshipAndDiscoveryShowsMetadataAndTheContractVerbatim()
    {
        await using var app = await TestApp.StartAsync();

        using var response = await app.PutTemplateAsync("weather", TemplateDefinitions.WeatherToGcs());
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("/v1/admin/templates/weather", response.Headers.Location!.OriginalString);
        Assert.Equal("weather", (string?)body["pattern-name"]);
        Assert.Equal("******", (string?)body["template"]!["static-parameters"]!["destination-connection-info"]!["GCS_TOKEN"]);
        Assert.Equal("******", (string?)body["template"]!["static-parameters"]!["destination-connection-info"]!["GCS_CONNECTION"]);
        Assert.Equal(1, await app.Database.ScalarAsync<long>("""
            SELECT count(*) FROM streamsets.ingestion_pattern p
              JOIN streamsets.ingestion_pattern_job_template_relationship r USING (ingestion_pattern_id)
              JOIN streamsets.job_template t USING (job_template_id)
             WHERE p.pattern_name = 'weather' AND t.destination_connection_info ->> 'GCS_TOKEN' = 's3cret-token'
            """));
        var listed = (await app.GetJsonAsync("/v1/templates"))["templates"]!.AsArray().Single()!;
        Assert.Equal(("Weather to Cloud Storage", "data@example.com", "https://wiki.example.com/weather", true),
            ((string?)listed["title"], (string?)listed["owner"], (string?)listed["documentation-url"], (bool)listed["enabled"]!));
        Assert.Equal(["weather", "finance"], listed["tags"]!.AsArray().Select(t => (string)t!));
        Assert.Equal(["CITY", "HTTP_URL", "GCS_BUCKET", "GCS_FOLDER", "API_PASSWORD"],
            listed["parameters"]!["properties"]!.AsObject().Select(p => p.Key));
        Assert.Equal(TemplateDefinitions.WeatherToGcs()["parameters"]!.ToJsonString(), listed["parameters"]!.ToJsonString());
        Assert.Contains("API_PASSWORD", listed["secret-parameters"]!.AsArray().Select(s => (string)s!));
    }

    [Fact]
    public async Task PutIsIdempotentAndEveryChangeIsAuditedWithSecretsMasked()
    {
        await using var app = await TestApp.StartAsync();
        var body = TemplateDefinitions.WeatherToGcs();

        await app.PutTemplateAsync("weather", body);
        using var again = await app.PutTemplateAsync("weather", body);
        using var changed = await app.PutTemplateAsync("weather", body.With("title", "Weather, renamed"));
        var history = await app.HistoryAsync("weather");

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal(["UPDATE", "CREATE"], history.Select(c => c.Action));
        Assert.Equal(CallerContext.Anonymous, history[0].ChangedBy);
        Assert.Contains("Weather to Cloud Storage", history[0].Before!.Value.Text());
        Assert.Contains("Weather, renamed", history[0].After!.Value.Text());
        Assert.Null(history[1].Before);
        Assert.DoesNotContain(history, c => (c.Before?.Text() + c.After?.Text()).Contains("s3cret-token"));
    }

    [Fact]
    public async Task ATemplateSentBackAsItWasAnsweredKeepsItsSecretsAndChangesNothing()
    {
        await using var app = await TestApp.StartAsync();
        await app.PutTemplateAsync("weather", TemplateDefinitions.WeatherToGcs());

        var answered = (await app.GetJsonAsync("/v1/admin/templates/weather"))["template"]!;
        using var response = await app.PutTemplateAsync("weather", answered);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(await app.HistoryAsync("weather"));
        Assert.Equal("s3cret-token", await app.Database.ScalarAsync<string>(
            "SELECT destination_connection_info ->> 'GCS_TOKEN' FROM streamsets.job_template"));
    }

    [Fact]
    public async Task AMaskedSecretWithNoStoredValueIsRefused()
    {
        await using var app = await TestApp.StartAsync();

        using var response = await app.PutTemplateAsync("weather",
            TemplateDefinitions.WeatherToGcs().With("static-parameters.destination-connection-info.GCS_TOKEN", "******"));

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest, "/problems/validation");
        Assert.Equal(["static-parameters.destination-connection-info.GCS_TOKEN"], problem.ErrorKeys());
    }

    [Fact]
    public async Task TheOriginalsSqlInsertsShowUpThroughTheApiAndRoundTripUnchanged()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();

        var stored = await app.GetJsonAsync("/v1/admin/templates/http-to-gcs");
        using var put = await app.PutTemplateAsync("http-to-gcs", stored["template"]!);

        Assert.Equal(("http", "gcs", "controlhub", Seed.ExampleTemplateId), ((string?)stored["template"]!["source-type"],
            (string?)stored["template"]!["target-type"], (string?)stored["template"]!["platform"], (string?)stored["template"]!["platform-template-id"]));
        Assert.Equal("POLLING", (string?)stored["template"]!["static-parameters"]!["source-runtime-parameters"]!["HTTP_MODE"]);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Empty(await app.HistoryAsync("http-to-gcs"));
        Assert.Single((await app.GetJsonAsync("/v1/admin/templates"))["templates"]!.AsArray());
    }

    [Fact]
    public async Task DeleteIsRefusedWhileInstancesAreLiveThenRemovesTheRuleAndIsAudited()
    {
        await using var app = await TestApp.StartAsync();
        await app.PutTemplateAsync("weather", TemplateDefinitions.WeatherToGcs().With("parameters", null));
        var run = await app.LaunchAsync(LaunchBodies.Body());

        using var refused = await app.SendAsync(HttpMethod.Delete, "/v1/admin/templates/weather", null);
        await app.RunToCompletionAsync(run.RunId);
        using var deleted = await app.SendAsync(HttpMethod.Delete, "/v1/admin/templates/weather", null);
        using var gone = await app.SendAsync(HttpMethod.Get, "/v1/admin/templates/weather", null);

        var problem = await refused.ReadProblemAsync(HttpStatusCode.Conflict, "/problems/template-in-use");
        Assert.Equal(1, problem.GetProperty("live-instances").GetInt32());
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await gone.ReadProblemAsync(HttpStatusCode.NotFound, "/problems/not-found");
        Assert.Equal(0, await app.Database.ScalarAsync<long>("SELECT count(*) FROM streamsets.ingestion_pattern"));
        Assert.Equal("DELETE", (await app.HistoryAsync("weather"))[0].Action);
        Assert.Equal(HttpStatusCode.OK, (await app.Client.GetAsync($"/v1/runs/{run.RunId}")).StatusCode);
    }

    [Fact]
    public async Task UnknownTemplatesAndBodiesThatAreNotJsonAreAnsweredAsProblems()
    {
        await using var app = await TestApp.StartAsync();

        using var history = await app.Client.GetAsync("/v1/admin/templates/nope/history");
        using var delete = await app.SendAsync(HttpMethod.Delete, "/v1/admin/templates/nope", null);
        using var notJson = await app.Client.PutAsync("/v1/admin/templates/nope",
            new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"));
        using var notObject = await app.PutTemplateAsync("nope", new JsonArray(1, 2));

        await history.ReadProblemAsync(HttpStatusCode.NotFound, "/problems/not-found");
        await delete.ReadProblemAsync(HttpStatusCode.NotFound, "/problems/not-found");
        Assert.Contains("not valid JSON", (await notJson.ReadProblemAsync(HttpStatusCode.BadRequest, "/problems/validation")).ToString());
        Assert.Contains("must be a JSON object", (await notObject.ReadProblemAsync(HttpStatusCode.BadRequest, "/problems/validation")).ToString());
    }

    [Fact]
    public async Task ManagingTemplatesNeedsTheAdminScope()
    {
        await using var app = await TestApp.StartAsync(ApiKeyRequests.ApiKeys);
        var reader = await app.CreateKeyAsync("reader", "read", "launch");

        using var put = await app.PutTemplateAsync("weather", TemplateDefinitions.WeatherToGcs(), reader);
        using var admin = await app.PutTemplateAsync("weather", TemplateDefinitions.WeatherToGcs(), ApiKeyRequests.BootstrapKey);

        Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
        Assert.Equal(HttpStatusCode.Created, admin.StatusCode);
        Assert.Equal(ApiKeyValidator.BootstrapName, (await app.Database.StringsAsync("SELECT changed_by FROM streamsets.template_change")).Single());
    }
}
