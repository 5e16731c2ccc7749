using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace JobTemplateService.Tests;

/// <summary>POST /v1/runs/plan: what a launch would do, with the origin of every parameter; it launches nothing.</summary>
public sealed class PlanTests
{
    private const string ConnectionSecret = "conn-secret-8c1f0e";
    private const string CallerToken = "caller-token-2b9d44";

    [Fact]
    public async Task PlanShowsTemplateReasonAndEveryParameterWithItsOriginAndLaunchesNothing()
    {
        await using var app = await StartAsync();
        var set = LaunchBodies.City("London");
        set["HTTP_METHOD"] = "POST";
        set["API_TOKEN"] = CallerToken;

        var plan = await PlanAsync(app, LaunchBodies.Body(sets: set));

        Assert.True(plan.GetProperty("can-launch").GetBoolean());
        Assert.Empty(plan.GetProperty("problems").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, plan.GetProperty("existing-run-id").ValueKind);
        var template = plan.GetProperty("template");
        Assert.Equal(("http-to-gcs", "controlhub", Seed.ExampleTemplateId), (template.GetProperty("pattern-name").GetString(),
            template.GetProperty("platform").GetString(), template.GetProperty("platform-template-id").GetString()));
        Assert.Contains("'http-to-gcs'", plan.GetProperty("reason").GetString());
        var instance = Assert.Single(plan.GetProperty("instances").EnumerateArray().ToList());
        Assert.Equal("start", instance.GetProperty("admission").GetString());
        var parameters = instance.GetProperty("parameters");
        Assert.Equal(("London", "caller", false), Parameter(parameters, "CITY"));
        Assert.Equal(("POLLING", "static:source_runtime_parameters", false), Parameter(parameters, "HTTP_MODE"));
        Assert.Equal(("POST", "caller (overrides static:source_runtime_parameters)", false), Parameter(parameters, "HTTP_METHOD"));
        Assert.Equal((SecretMasker.Mask, "static:destination_connection_info", true), Parameter(parameters, "GCS_CONNECTION"));
        Assert.Equal((SecretMasker.Mask, "caller", true), Parameter(parameters, "API_TOKEN"));
        Assert.DoesNotContain(ConnectionSecret, plan.GetRawText());
        Assert.DoesNotContain(CallerToken, plan.GetRawText());
        await app.AssertNothingLaunchedAsync();
    }

    public static TheoryData<string, string, string> Refusals() => new()
    {
        { "no template", "/problems/no-template", "" },
        { "locked key", "/problems/parameters", "runtime-parameters[0].HTTP_MODE" },
        { "missing required", "/problems/parameters", "runtime-parameters[0].CITY" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task PlanListsTheProblemALaunchWouldHitAndSaysItCannotLaunch(string refusal, string type, string errorKey)
    {
        await using var app = await StartAsync();
        var set = LaunchBodies.City("London");
        if (refusal == "locked key") set["HTTP_MODE"] = "STREAMING";
        if (refusal == "missing required") set.Remove("CITY");
        var body = LaunchBodies.Body(target: refusal == "no template" ? "s3" : "gcs", sets: set);

        var plan = await PlanAsync(app, body);

        Assert.False(plan.GetProperty("can-launch").GetBoolean());
        var problem = Assert.Single(plan.GetProperty("problems").EnumerateArray().ToList());
        Assert.Equal(type, problem.GetProperty("type").GetString());
        Assert.Equal(errorKey == "" ? [] : [errorKey], problem.ErrorKeys());
        await app.AssertNothingLaunchedAsync();
    }

    [Fact]
    public async Task PlanNamesTheRunAlreadyLaunchedWithTheSameKey()
    {
        await using var app = await StartAsync();
        var body = LaunchBodies.Body(userRunId: "nightly-17");
        var launched = await app.LaunchAsync(body);

        var plan = await PlanAsync(app, body);

        Assert.Equal(launched.RunId, plan.GetProperty("existing-run-id").GetGuid());
        Assert.True(plan.GetProperty("can-launch").GetBoolean());
        Assert.Equal(1, app.ControlHub.CreateCalls);
        Assert.Equal(1L, await app.Database.ScalarAsync<long>("SELECT count(*) FROM streamsets.run"));
    }

    [Fact]
    public async Task PlanSaysWhichInstancesWouldQueueUnderTheTemplateLimit()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.TemplateAsync("http", "gcs", Seed.ExampleTemplateId, extraColumns: ", max_concurrent_instances", extraValues: ", 1");

        var plan = await PlanAsync(app, LaunchBodies.Body(sets: [LaunchBodies.City("London"), LaunchBodies.City("Paris", "FR")]));

        Assert.Equal(["start", "queue"], plan.GetProperty("instances").EnumerateArray().Select(i => i.GetProperty("admission").GetString()));
        Assert.Equal(1, plan.GetProperty("template").GetProperty("max-concurrent-instances").GetInt32());
        await app.AssertNothingLaunchedAsync();
    }

    [Fact]
    public async Task PlanRejectsAnInvalidBodyWith400()
    {
        await using var app = await StartAsync();

        using var response = await app.PostRawAsync("/v1/runs/plan", """{ "user-id": "ann", "runtime-parameters": [] }""");

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest, "/problems/validation");
        Assert.Equal(["runtime-parameters", "source-type", "target-type", "user-run-id"], problem.ErrorKeys());
        await app.AssertNothingLaunchedAsync();
    }

    private static async Task<TestApp> StartAsync()
    {
        var app = await TestApp.StartAsync();
        await app.Database.TemplateAsync("http", "gcs", Seed.ExampleTemplateId,
            sourceParameters: """{"HTTP_MODE": "POLLING", "HTTP_METHOD": "GET"}""",
            destinationConnection: $$"""{"GCS_CONNECTION": "{{ConnectionSecret}}"}""",
            extraColumns: ", overridable_parameters, secret_parameters, required_parameters",
            extraValues: ", ARRAY['HTTP_METHOD'], ARRAY['GCS_CONNECTION'], ARRAY['CITY']");
        return app;
    }

    private static async Task<JsonElement> PlanAsync(TestApp app, JsonObject body)
    {
        using var response = await app.PostJsonAsync("/v1/runs/plan", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"plan answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static (string?, string?, bool) Parameter(JsonElement parameters, string key)
    {
        var p = parameters.GetProperty(key);
        return (p.GetProperty("value").GetString(), p.GetProperty("origin").GetString(), p.GetProperty("secret").GetBoolean());
    }
}
