using System.Net;
using System.Text.Json.Nodes;

namespace JobTemplateService.Tests;

public sealed class LaunchValidationTests
{
    public static TheoryData<string, string, string?> BadStringFields()
    {
        var data = new TheoryData<string, string, string?>();
        foreach (var field in new[] { "user-id", "user-run-id", "source-type", "target-type" })
        {
            foreach (var value in new[] { null, "42", "[\"ann\"]", "\"\"", "\" \\t \"" }) data.Add("/v1/runs", field, value);
        }
        data.Add("/v1/runs", "user-run-id", $"\"{new string('r', 257)}\"");
        // The original endpoint shares the checks; one bad value per field shows it.
        data.Add("/streamsets/job-template-runner", "user-id", null);
        data.Add("/streamsets/job-template-runner", "user-run-id", "null");
        data.Add("/streamsets/job-template-runner", "source-type", "true");
        data.Add("/streamsets/job-template-runner", "target-type", "\"  \"");
        return data;
    }

    [Theory]
    [MemberData(nameof(BadStringFields))]
    public async Task LaunchRejectsMissingNonStringOrBlankRequiredField(string path, string field, string? rawValue)
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        var body = LaunchBodies.Body();
        if (rawValue is null) body.Remove(field);
        else body[field] = JsonNode.Parse(rawValue);

        using var response = await app.PostJsonAsync(path, body);

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest, "/problems/validation");
        Assert.Equal([field], problem.ErrorKeys());
        await app.AssertNothingLaunchedAsync();
    }

    [Fact]
    public async Task LaunchNamesEveryBadFieldAtOnce()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();

        using var response = await app.PostRawAsync("/v1/runs", """{ "user-id": 7, "source-type": "" }""");

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest, "/problems/validation");
        Assert.Equal(["runtime-parameters", "source-type", "target-type", "user-id", "user-run-id"], problem.ErrorKeys());
        await app.AssertNothingLaunchedAsync();
    }

    [Theory]
    [InlineData("{ \"user-id\": ")]
    [InlineData("not json at all")]
    [InlineData("")]
    public async Task LaunchRejectsBodyThatIsNotJson(string body)
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();

        using var response = await app.PostRawAsync("/v1/runs", body);

        await response.ReadProblemAsync(HttpStatusCode.BadRequest, "/problems/validation");
        await app.AssertNothingLaunchedAsync();
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"launch please\"")]
    [InlineData("null")]
    public async Task LaunchRejectsJsonBodyThatIsNotAnObject(string body)
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();

        using var response = await app.PostRawAsync("/v1/runs", body);

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest, "/problems/validation");
        Assert.Equal([""], problem.ErrorKeys());
        await app.AssertNothingLaunchedAsync();
    }

    [Theory]
    [InlineData("/v1/runs")]
    [InlineData("/streamsets/job-template-runner")]
    public async Task LaunchAnswers413WhenBodyIsLargerThanTheLimit(string path)
    {
        await using var app = await TestApp.StartAsync(settings => settings["Service:MaxRequestBodyBytes"] = "1024");
        await app.Database.ExampleTemplateAsync();
        var body = LaunchBodies.Body(sets: LaunchBodies.City(new string('x', 2_000)));

        using var response = await app.PostJsonAsync(path, body);

        await response.ReadProblemAsync(HttpStatusCode.RequestEntityTooLarge, "/problems/too-large");
        await app.AssertNothingLaunchedAsync();
    }

    [Fact]
    public async Task LaunchAcceptsBodyJustUnderTheLimit()
    {
        await using var app = await TestApp.StartAsync(settings => settings["Service:MaxRequestBodyBytes"] = "1024");
        await app.Database.ExampleTemplateAsync();
        var body = LaunchBodies.Body(sets: LaunchBodies.City("London"));

        using var response = await app.PostJsonAsync("/v1/runs", body);

        Assert.True(body.ToJsonString().Length < 1024);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Theory]
    [InlineData("\"\"")]
    [InlineData(" ")]
    [InlineData("key-of-256-chars")]
    public async Task LaunchRejectsBadIdempotencyKey(string key)
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        if (key == "key-of-256-chars") key = new string('k', 256);

        using var response = await app.PostJsonAsync("/v1/runs", LaunchBodies.Body(), idempotencyKey: key);

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest, "/problems/validation");
        Assert.Equal(["Idempotency-Key"], problem.ErrorKeys());
        await app.AssertNothingLaunchedAsync();
    }

    [Fact]
    public async Task LaunchAcceptsIdempotencyKeyOf255PrintableCharacters()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();

        using var response = await app.PostJsonAsync("/v1/runs", LaunchBodies.Body(), idempotencyKey: new string('k', 255));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(1, app.ControlHub.CreateCalls);
    }
}
