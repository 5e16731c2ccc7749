using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace JobTemplateService.Tests;

/// <summary>Bytes an attacker chooses never give 500: each gets a 4xx problem and changes nothing.</summary>
public sealed class HostileInputTests
{
    public static TheoryData<string, string> ControlCharacters()
    {
        var data = new TheoryData<string, string>();
        foreach (var field in new[] { "user-id", "user-run-id", "source-type", "target-type" })
        {
            data.Add(field, "ann\u0000");
            data.Add(field, "ann\nINFO forged line");
        }
        data.Add("user-id", "\u001b[31mred");
        data.Add("user-run-id", "\u0085next");
        return data;
    }

    [Theory]
    [MemberData(nameof(ControlCharacters))]
    public async Task ControlCharacterInAStringFieldIsRefused400NamingTheField(string field, string value)
    {
        await using var app = await StartAsync();
        var body = LaunchBodies.Body();
        body[field] = value;

        using var response = await app.PostJsonAsync("/v1/runs", body);

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest, "/problems/validation");
        Assert.Equal([field], problem.ErrorKeys());
        await app.AssertNothingLaunchedAsync();
    }

    [Fact]
    public async Task NulInAParameterValueIsRefused400NamingTheParameter()
    {
        await using var app = await StartAsync();

        using var response = await app.PostJsonAsync("/v1/runs", LaunchBodies.Body(sets: LaunchBodies.City("Lon\u0000don")));

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest, "/problems/validation");
        Assert.Equal(["runtime-parameters[0].CITY"], problem.ErrorKeys());
        await app.AssertNothingLaunchedAsync();
    }

    [Theory]
    [InlineData("user-id")]
    [InlineData("callback-secret")]
    public async Task LoneSurrogateIsRefused400NamingTheField(string field)
    {
        await using var app = await StartAsync();
        var body = LaunchBodies.Body();
        body["callback-url"] = "https://hooks.example.com/jts";
        body["callback-secret"] = "s3cret";
        var json = body.ToJsonString().Replace($"\"{field}\":", $"\"{field}\":\"a\\ud800b\",\"ignored-{field}\":", StringComparison.Ordinal);

        using var response = await app.PostRawAsync("/v1/runs", json);

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest, "/problems/validation");
        Assert.Contains(field, problem.ErrorKeys());
        await app.AssertNothingLaunchedAsync();
    }

    [Fact]
    public async Task InvalidUtf8InTheBodyIsRefused400()
    {
        await using var app = await StartAsync();
        var json = Encoding.UTF8.GetBytes(LaunchBodies.Body(userId: "ann-XX").ToJsonString());
        var at = Encoding.UTF8.GetString(json).IndexOf("XX", StringComparison.Ordinal);
        (json[at], json[at + 1]) = (0xFF, 0xFE);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/runs") { Content = new ByteArrayContent(json) };
        request.Content.Headers.ContentType = new("application/json");

        using var response = await app.Client.SendAsync(request);

        await response.ReadProblemAsync(HttpStatusCode.BadRequest, "/problems/validation");
        await app.AssertNothingLaunchedAsync();
    }

    private static async Task<TestApp> StartAsync()
    {
        var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        return app;
    }
}
