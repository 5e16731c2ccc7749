using System.Net;
using System.Text.Json.Nodes;

namespace JobTemplateService.Tests;

/// <summary>Drift between a template and its Control Hub job template: the endpoint, plan warnings and `templates check`.</summary>
public sealed class PlatformParametersTests
{
    [Fact]
    public async Task TheEndpointAnswersControlHubsOwnParametersAndTheDriftReadOncePerMinute()
    {
        await using var app = await StartAsync();

        var first = await app.GetJsonAsync("/v1/templates/weather/platform-parameters");
        await app.GetJsonAsync("/v1/templates/weather/platform-parameters");

        Assert.Equal("POLLING", (string?)first["platform-parameters"]!["HTTP_MODE"]);
        Assert.Equal(["API_PASSWORD", "GCS_TOKEN"], Strings(first["drift"]!["not-defined-by-platform"]));
        Assert.Equal(["HTTP_TIMEOUT"], Strings(first["drift"]!["not-provided"]));
        Assert.True((bool)first["drift"]!["has-drift"]!);
        Assert.Equal(1, app.ControlHub.TemplateReads(Seed.ExampleTemplateId));
    }

    [Fact]
    public async Task PlanShowsTheDriftAsWarningsAndCanStillLaunch()
    {
        await using var app = await StartAsync();

        var plan = JsonNode.Parse(await (await app.PostJsonAsync("/v1/runs/plan", LaunchBodies.Body())).Content.ReadAsStringAsync())!;

        Assert.True((bool)plan["can-launch"]!, plan.ToJsonString());
        var warnings = Strings(plan["warnings"]);
        Assert.Equal(2, warnings.Count);
        Assert.Contains("API_PASSWORD, GCS_TOKEN", warnings[0]);
        Assert.Contains("HTTP_TIMEOUT", warnings[1]);
    }

    [Fact]
    public async Task TemplatesCheckExitsNonZeroOnDriftAndZeroWithoutIt()
    {
        await using var app = await StartAsync();
        var output = new StringWriter();

        var drifting = await TemplateCommands.RunAsync(app.Services, ["templates", "check"], output, CancellationToken.None);
        app.ControlHub.DefineTemplate(Seed.ExampleTemplateId, Parameters([.. All, "API_PASSWORD", "GCS_TOKEN"]));
        var clean = new StringWriter();
        app.Service<PlatformParameterReader>().Forget();
        var fine = await TemplateCommands.RunAsync(app.Services, ["templates", "check"], clean, CancellationToken.None);

        Assert.Equal(1, drifting);
        Assert.Contains("DRIFT weather", output.ToString());
        Assert.Contains("HTTP_TIMEOUT", output.ToString());
        Assert.Equal(0, fine);
        Assert.Contains("No drift in 1 Control Hub template(s).", clean.ToString());
    }

    [Fact]
    public async Task AJobTemplateControlHubDoesNotKnowIsAPlatformRejectionAndAPlanWarning()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();

        using var response = await app.Client.GetAsync("/v1/templates/http-to-gcs/platform-parameters");
        var plan = JsonNode.Parse(await (await app.PostJsonAsync("/v1/runs/plan", LaunchBodies.Body())).Content.ReadAsStringAsync())!;

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadGateway, "/problems/platform-rejected");
        Assert.Equal("JOBRUNNER_01", problem.GetProperty("platform-code").GetString());
        Assert.True((bool)plan["can-launch"]!);
        Assert.StartsWith("The Control Hub job template's parameters could not be read", Strings(plan["warnings"]).Single());
    }

    [Fact]
    public async Task ALocalTemplateHasNoPlatformParametersAndAnUnknownOneIsNotFound()
    {
        await using var app = await TestApp.StartAsync(LocalJobs.Command("csv_filter", "sh -c true"));
        await app.Database.LocalTemplateAsync("csv_filter");

        using var local = await app.Client.GetAsync("/v1/templates/local-to-out/platform-parameters");
        using var unknown = await app.Client.GetAsync("/v1/templates/nope/platform-parameters");

        await local.ReadProblemAsync(HttpStatusCode.UnprocessableEntity, "/problems/not-controlhub");
        await unknown.ReadProblemAsync(HttpStatusCode.NotFound, "/problems/not-found");
    }

    [Fact]
    public async Task WithoutControlHubCheckSaysSoAndPlatformParametersAre503()
    {
        await using var app = await TestApp.StartAsync(LocalJobs.Command("csv_filter", "sh -c true", settings =>
        {
            foreach (var key in settings.Keys.Where(k => k.StartsWith("streamsets:", StringComparison.Ordinal)).ToList()) settings.Remove(key);
        }));
        await app.Database.ExampleTemplateAsync();
        var output = new StringWriter();

        var exit = await TemplateCommands.RunAsync(app.Services, ["templates", "check"], output, CancellationToken.None);
        using var response = await app.Client.GetAsync("/v1/templates/http-to-gcs/platform-parameters");

        Assert.Equal(2, exit);
        Assert.Contains("Control Hub is not configured", output.ToString());
        await response.ReadProblemAsync(HttpStatusCode.ServiceUnavailable, "/problems/platform-not-configured");
    }

    private static readonly string[] All = ["HTTP_METHOD", "HTTP_MODE", "HTTP_URL", "CITY", "GCS_BUCKET", "GCS_FOLDER", "GCS_CONNECTION"];

    /// <summary>The README's seven parameters plus one neither the contract nor the statics provide.</summary>
    private static async Task<TestApp> StartAsync()
    {
        var app = await TestApp.StartAsync();
        app.ControlHub.DefineTemplate(Seed.ExampleTemplateId, Parameters([.. All, "HTTP_TIMEOUT"]));
        using var response = await app.PutTemplateAsync("weather", TemplateDefinitions.WeatherToGcs());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return app;
    }

    private static (string, string)[] Parameters(string[] names) =>
        names.Select(n => (n, n == "HTTP_MODE" ? "POLLING" : "")).ToArray();

    private static List<string> Strings(JsonNode? array) => array!.AsArray().Select(n => (string)n!).ToList();
}
