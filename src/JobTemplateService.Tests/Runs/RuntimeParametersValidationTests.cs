using System.Net;
using System.Text.Json.Nodes;

namespace JobTemplateService.Tests;

public sealed class RuntimeParametersValidationTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("null")]
    [InlineData("{ \"CITY\": \"London\" }")]
    [InlineData("\"CITY=London\"")]
    [InlineData("42")]
    [InlineData("[]")]
    public async Task LaunchRejectsRuntimeParametersThatAreNotANonEmptyArray(string? rawValue)
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        var body = LaunchBodies.Body();
        if (rawValue is null) body.Remove("runtime-parameters");
        else body["runtime-parameters"] = JsonNode.Parse(rawValue);

        using var response = await app.PostJsonAsync("/v1/runs", body);

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest, "/problems/validation");
        Assert.Equal(["runtime-parameters"], problem.ErrorKeys());
        await app.AssertNothingLaunchedAsync();
    }

    [Theory]
    [InlineData("\"London\"")]
    [InlineData("7")]
    [InlineData("null")]
    [InlineData("[{ \"CITY\": \"Phoenix\" }]")]
    public async Task LaunchRejectsParameterSetThatIsNotAnObjectNamingItsIndex(string rawElement)
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        var body = LaunchBodies.Body();
        body["runtime-parameters"]!.AsArray().Add(JsonNode.Parse(rawElement));

        using var response = await app.PostJsonAsync("/v1/runs", body);

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest, "/problems/validation");
        Assert.Equal(["runtime-parameters[1]"], problem.ErrorKeys());
        await app.AssertNothingLaunchedAsync();
    }

    [Theory]
    [InlineData("{ \"name\": \"London\" }")]
    [InlineData("[\"London\", \"Paris\"]")]
    [InlineData("null")]
    public async Task LaunchRejectsNonScalarParameterValueNamingTheKey(string rawValue)
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        var london = LaunchBodies.City("London");
        london["CITY"] = JsonNode.Parse(rawValue);
        var body = LaunchBodies.Body(sets: [london, LaunchBodies.City("Phoenix", "US")]);

        using var response = await app.PostJsonAsync("/v1/runs", body);

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest, "/problems/validation");
        Assert.Equal(["runtime-parameters[0].CITY"], problem.ErrorKeys());
        await app.AssertNothingLaunchedAsync();
    }

    [Theory]
    [InlineData("{ \"CITY\": \"London\", \"CITY\": \"Paris\" }", "runtime-parameters[0].CITY")]
    [InlineData("{ \"\": \"London\" }", "runtime-parameters[0].")]
    public async Task LaunchRejectsBadParameterNames(string rawSet, string errorKey)
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();

        using var response = await app.PostRawAsync("/v1/runs",
            $$"""{ "user-id": "ann", "user-run-id": "r1", "source-type": "http", "target-type": "gcs", "runtime-parameters": [{{rawSet}}] }""");

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest, "/problems/validation");
        Assert.Equal([errorKey], problem.ErrorKeys());
        await app.AssertNothingLaunchedAsync();
    }

    [Fact]
    public async Task LaunchRejectsMoreInstancesThanTheConfiguredMaximum()
    {
        await using var app = await TestApp.StartAsync(settings => settings["Service:MaxInstancesPerLaunch"] = "2");
        await app.Database.ExampleTemplateAsync();
        var body = LaunchBodies.Body(sets: [LaunchBodies.City("London"), LaunchBodies.City("Paris"), LaunchBodies.City("Rome")]);

        using var response = await app.PostJsonAsync("/v1/runs", body);

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest, "/problems/validation");
        Assert.Equal(["runtime-parameters"], problem.ErrorKeys());
        Assert.Contains("2", problem.GetProperty("errors").GetProperty("runtime-parameters")[0].GetString());
        await app.AssertNothingLaunchedAsync();
    }

    [Fact]
    public async Task LaunchAcceptsExactlyTheConfiguredMaximumOfInstances()
    {
        await using var app = await TestApp.StartAsync(settings => settings["Service:MaxInstancesPerLaunch"] = "2");
        await app.Database.ExampleTemplateAsync();
        var body = LaunchBodies.Body(sets: [LaunchBodies.City("London"), LaunchBodies.City("Paris")]);

        using var response = await app.PostJsonAsync("/v1/runs", body);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(2, app.ControlHub.Jobs.Count);
    }

    [Fact]
    public async Task LaunchSendsNumbersAndBooleansToControlHubAsStrings()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        var set = LaunchBodies.City("London");
        set["LIMIT"] = 42;
        set["RATIO"] = 2.5;
        set["INCLUDE_HEADERS"] = true;
        set["DRY_RUN"] = false;

        using var response = await app.PostJsonAsync("/v1/runs", LaunchBodies.Body(sets: set));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var sent = Assert.Single(app.ControlHub.CreateBodies)["runtimeParametersList"]![0]!.AsObject();
        Assert.All(sent, p => Assert.Equal(System.Text.Json.JsonValueKind.String, p.Value!.GetValueKind()));
        Assert.Equal(("42", "2.5", "true", "false"),
            (sent["LIMIT"]!.GetValue<string>(), sent["RATIO"]!.GetValue<string>(),
             sent["INCLUDE_HEADERS"]!.GetValue<string>(), sent["DRY_RUN"]!.GetValue<string>()));
    }
}
