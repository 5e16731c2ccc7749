using System.Net;
using System.Net.Http.Json;

namespace JobTemplateService.Tests;

/// <summary>422: the body is well-formed but the rules or the template say no. Nothing is launched.</summary>
public sealed class LaunchRejectionTests
{
    [Theory]
    [InlineData("/v1/runs")]
    [InlineData("/streamsets/job-template-runner")]
    public async Task LaunchAnswers422WhenNoRuleMapsSourceToTarget(string path)
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();

        using var response = await app.PostJsonAsync(path, LaunchBodies.Body(source: "http", target: "s3"));

        var problem = await response.ReadProblemAsync(HttpStatusCode.UnprocessableEntity, "/problems/no-template");
        Assert.Contains("'http'", problem.GetProperty("detail").GetString());
        Assert.Contains("'s3'", problem.GetProperty("detail").GetString());
        await app.AssertNothingLaunchedAsync();
    }

    [Theory]
    [InlineData("/v1/runs")]
    [InlineData("/streamsets/job-template-runner")]
    public async Task LaunchRejectsCallerValueForLockedStaticKey(string path)
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        var phoenix = LaunchBodies.City("Phoenix", "US");
        phoenix["HTTP_MODE"] = "STREAMING";
        phoenix["GCS_CONNECTION"] = "my-own-connection";

        using var response = await app.PostJsonAsync(path, LaunchBodies.Body(sets: [LaunchBodies.City("London"), phoenix]));

        var problem = await response.ReadProblemAsync(HttpStatusCode.UnprocessableEntity, "/problems/parameters");
        Assert.Equal(["runtime-parameters[1].GCS_CONNECTION", "runtime-parameters[1].HTTP_MODE"], problem.ErrorKeys());
        Assert.Contains("HTTP_MODE", problem.GetProperty("detail").GetString());
        Assert.Contains("GCS_CONNECTION", problem.GetProperty("detail").GetString());
        await app.AssertNothingLaunchedAsync();
    }

    [Fact]
    public async Task LaunchLetsCallerValueWinForAnOverridableStaticKey()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.TemplateAsync("http", "gcs", Seed.ExampleTemplateId, sourceParameters: """{"HTTP_MODE": "POLLING"}""",
            extraColumns: ", overridable_parameters", extraValues: ", ARRAY['HTTP_MODE']");
        var london = LaunchBodies.City("London");
        london["HTTP_MODE"] = "STREAMING";

        using var response = await app.PostJsonAsync("/v1/runs", LaunchBodies.Body(sets: [london, LaunchBodies.City("Paris", "FR")]));

        var run = (await response.Content.ReadFromJsonAsync<RunResource>(Json.Options))!;
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var sent = Assert.Single(app.ControlHub.CreateBodies)["runtimeParametersList"]!.AsArray();
        Assert.Equal(("STREAMING", "POLLING"), (sent[0]!["HTTP_MODE"]!.GetValue<string>(), sent[1]!["HTTP_MODE"]!.GetValue<string>()));
        Assert.Equal(("STREAMING", "POLLING"), (run.Instances[0].Parameters["HTTP_MODE"], run.Instances[1].Parameters["HTTP_MODE"]));
    }

    [Fact]
    public async Task OverridableKeyDoesNotUnlockTheOtherStaticKeys()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.TemplateAsync("http", "gcs", Seed.ExampleTemplateId,
            sourceParameters: """{"HTTP_MODE": "POLLING", "HTTP_METHOD": "GET"}""",
            extraColumns: ", overridable_parameters", extraValues: ", ARRAY['HTTP_MODE']");
        var london = LaunchBodies.City("London");
        london["HTTP_MODE"] = "STREAMING";
        london["HTTP_METHOD"] = "POST";

        using var response = await app.PostJsonAsync("/v1/runs", LaunchBodies.Body(sets: london));

        var problem = await response.ReadProblemAsync(HttpStatusCode.UnprocessableEntity, "/problems/parameters");
        Assert.Equal(["runtime-parameters[0].HTTP_METHOD"], problem.ErrorKeys());
        await app.AssertNothingLaunchedAsync();
    }

    [Fact]
    public async Task LaunchAnswers422WhenARequiredParameterIsMissing()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.TemplateAsync("http", "gcs", Seed.ExampleTemplateId,
            extraColumns: ", required_parameters", extraValues: ", ARRAY['CITY', 'GCS_BUCKET']");
        var phoenix = LaunchBodies.City("Phoenix", "US");
        phoenix.Remove("GCS_BUCKET");

        using var response = await app.PostJsonAsync("/v1/runs", LaunchBodies.Body(sets: [LaunchBodies.City("London"), phoenix]));

        var problem = await response.ReadProblemAsync(HttpStatusCode.UnprocessableEntity, "/problems/parameters");
        Assert.Equal(["runtime-parameters[1].GCS_BUCKET"], problem.ErrorKeys());
        Assert.Contains("GCS_BUCKET", problem.GetProperty("detail").GetString());
        await app.AssertNothingLaunchedAsync();
    }

    [Fact]
    public async Task LaunchStartsWhenEveryRequiredParameterIsGiven()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.TemplateAsync("http", "gcs", Seed.ExampleTemplateId,
            extraColumns: ", required_parameters", extraValues: ", ARRAY['CITY', 'GCS_BUCKET']");

        using var response = await app.PostJsonAsync("/v1/runs", LaunchBodies.Body(sets: [LaunchBodies.City("London"), LaunchBodies.City("Rome")]));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(2, app.ControlHub.Jobs.Count);
    }
}
