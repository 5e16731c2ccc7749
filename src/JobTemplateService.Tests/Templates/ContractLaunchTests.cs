using System.Net;
using System.Text.Json.Nodes;

namespace JobTemplateService.Tests;

/// <summary>One validation everywhere: both launch endpoints and plan answer the same violations; defaults, secrets, disabled templates.</summary>
public sealed class ContractLaunchTests
{
    [Theory]
    [InlineData("/v1/runs")]
    [InlineData("/streamsets/job-template-runner")]
    public async Task BothLaunchEndpointsReportEveryViolationByPathAndLaunchNothing(string path)
    {
        await using var app = await StartWithWeatherAsync();
        var body = LaunchBodies.Body(sets: [LaunchBodies.City("London"), new JsonObject { ["CITY"] = "Berlin", ["HTTP_URL"] = "not a uri", ["X"] = "1" }]);

        using var response = await app.PostJsonAsync(path, body);

        var problem = await response.ReadProblemAsync(HttpStatusCode.UnprocessableEntity, "/problems/parameters");
        Assert.Equal(["runtime-parameters[1].CITY", "runtime-parameters[1].GCS_BUCKET", "runtime-parameters[1].HTTP_URL", "runtime-parameters[1].X"],
            problem.ErrorKeys());
        Assert.Contains("enum", problem.GetProperty("errors").GetProperty("runtime-parameters[1].CITY")[0].GetString());
        await app.AssertNothingLaunchedAsync();
    }

    [Fact]
    public async Task PlanAnswersTheSameErrorsAndShowsDefaultsWithTheirOrigin()
    {
        await using var app = await StartWithWeatherAsync();
        var bad = LaunchBodies.Body(sets: [new JsonObject { ["CITY"] = "Berlin" }]);
        var london = LaunchBodies.City("London");
        london.Remove("GCS_FOLDER");
        var good = LaunchBodies.Body(sets: [london]);

        using var launch = await app.PostJsonAsync("/v1/runs", bad);
        var plan = JsonNode.Parse(await (await app.PostJsonAsync("/v1/runs/plan", bad)).Content.ReadAsStringAsync())!;
        var goodPlan = JsonNode.Parse(await (await app.PostJsonAsync("/v1/runs/plan", good)).Content.ReadAsStringAsync())!;

        var launchErrors = (await launch.ReadProblemAsync(HttpStatusCode.UnprocessableEntity, "/problems/parameters")).GetProperty("errors").ToString();
        Assert.Equal(JsonNode.Parse(launchErrors)!.ToJsonString(), plan["problems"]![0]!["errors"]!.ToJsonString());
        Assert.True((bool)goodPlan["can-launch"]!, goodPlan.ToJsonString());
        var folder = goodPlan["instances"]![0]!["parameters"]!["GCS_FOLDER"]!;
        Assert.Equal(("UK", "default"), ((string?)folder["value"], (string?)folder["origin"]));
    }

    [Fact]
    public async Task TheOriginalsStringValuesPassTypedContractsAndReachThePlatformAsStrings()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        await app.Database.ExecuteAsync("""
            UPDATE streamsets.job_template SET parameters_schema = '{"type": "object", "properties": {
              "CITY": {"type": "string"}, "RETRIES": {"type": "integer", "minimum": 0}, "VERBOSE": {"type": "boolean", "default": false}}}'
            """);
        var body = LaunchBodies.Body(sets: [LaunchBodies.City("London").With("RETRIES", "3")]);

        var run = await app.LaunchAsync(body);

        var sent = app.ControlHub.CreateBodies.Single()["runtimeParametersList"]![0]!;
        Assert.Equal(("3", "false"), ((string?)sent["RETRIES"], (string?)sent["VERBOSE"]));
        Assert.Equal("3", run.Instances[0].Parameters["RETRIES"]);
    }

    [Fact]
    public async Task AWriteOnlyParameterIsMaskedLikeASecret()
    {
        await using var app = await StartWithWeatherAsync();

        var run = await app.LaunchAsync(LaunchBodies.Body(sets: [LaunchBodies.City("London").With("API_PASSWORD", "hunter2")]));

        Assert.Equal("******", run.Instances[0].Parameters["API_PASSWORD"]);
        Assert.Equal("hunter2", (string?)app.ControlHub.CreateBodies.Single()["runtimeParametersList"]![0]!["API_PASSWORD"]);
        Assert.Equal(0, await app.Database.ScalarAsync<long>("SELECT count(*) FROM streamsets.run_instance WHERE parameters::text LIKE '%hunter2%'"));
    }

    [Fact]
    public async Task ADisabledTemplateIsRefusedOnLaunchAndPlan()
    {
        await using var app = await TestApp.StartAsync();
        await app.PutTemplateAsync("weather", TemplateDefinitions.WeatherToGcs().With("enabled", false));

        using var launch = await app.PostJsonAsync("/v1/runs", LaunchBodies.Body());
        using var plan = await app.PostJsonAsync("/v1/runs/plan", LaunchBodies.Body());

        await launch.ReadProblemAsync(HttpStatusCode.UnprocessableEntity, "/problems/template-disabled");
        var problem = await plan.ReadProblemAsync(HttpStatusCode.UnprocessableEntity, "/problems/template-disabled");
        Assert.Equal("weather", problem.GetProperty("template").GetString());
        await app.AssertNothingLaunchedAsync();
    }

    private static async Task<TestApp> StartWithWeatherAsync()
    {
        var app = await TestApp.StartAsync();
        using var response = await app.PutTemplateAsync("weather", TemplateDefinitions.WeatherToGcs());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return app;
    }
}
