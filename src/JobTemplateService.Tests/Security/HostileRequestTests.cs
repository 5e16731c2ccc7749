using System.Net;
using System.Text;

namespace JobTemplateService.Tests;

/// <summary>Hostile paths, query strings, media types and sizes: each gets a 4xx problem, changes nothing and is echoed nowhere.</summary>
public sealed class HostileRequestTests
{
    [Theory]
    [InlineData("/v1/runs?user-id=ann%00")]
    [InlineData("/v1/runs?user-run-id=%00&state=RUNNING")]
    [InlineData("/v1/metrics?user-run-id=a%00b")]
    [InlineData("/v1/templates/resolve?source-type=http%00&target-type=gcs")]
    [InlineData("/v1/runs/0190a8c2-7d2e-7c4c-9b1e-3f2a1d0c9e8b/instances/%0a/log")]
    [InlineData("/v1/metrics?x%0d%0aSet-Cookie:%20a=b=1")]
    public async Task NulOrLineBreakInThePathOrQueryIsRefused400(string path)
    {
        await using var app = await StartAsync();

        using var response = await app.Client.GetAsync(path);

        await response.ReadProblemAsync(HttpStatusCode.BadRequest, "/problems/bad-request");
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData(null)]
    public async Task LaunchBodyThatIsNotJsonIsRefused415(string? contentType)
    {
        await using var app = await StartAsync();
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(LaunchBodies.Body().ToJsonString()));
        if (contentType is not null) content.Headers.ContentType = new(contentType);

        using var response = await app.Client.PostAsync("/v1/runs", content);

        await response.ReadProblemAsync(HttpStatusCode.UnsupportedMediaType, "/problems/unsupported-media-type");
        await app.AssertNothingLaunchedAsync();
    }

    [Fact]
    public async Task JsonNested5000DeepIsRefused400()
    {
        await using var app = await StartAsync();
        var json = "{\"user-id\":" + new string('[', 5000) + new string(']', 5000) + "}";

        using var response = await app.PostRawAsync("/v1/runs", json);

        await response.ReadProblemAsync(HttpStatusCode.BadRequest, "/problems/validation");
        await app.AssertNothingLaunchedAsync();
    }

    [Fact]
    public async Task TenThousandKeysOrAOneMegabyteKeyAreRefused413()
    {
        await using var app = await StartAsync();
        var many = LaunchBodies.City("London");
        for (var i = 0; i < 10_000; i++) many[$"K{i}"] = "v";
        var huge = LaunchBodies.City("London");
        huge[new string('K', 1024 * 1024)] = "v";

        using var keys = await app.PostJsonAsync("/v1/runs", LaunchBodies.Body(sets: many));
        using var key = await app.PostJsonAsync("/v1/runs", LaunchBodies.Body(sets: huge));

        await keys.ReadProblemAsync(HttpStatusCode.RequestEntityTooLarge, "/problems/too-large");
        await key.ReadProblemAsync(HttpStatusCode.RequestEntityTooLarge, "/problems/too-large");
        await app.AssertNothingLaunchedAsync();
    }

    [Fact]
    public async Task MetricsLinkHeaderEchoesNoUnknownQueryText()
    {
        await using var app = await StartAsync();
        await app.Database.ExecuteAsync("""
            INSERT INTO streamsets.job_run_metrics (user_id, user_run_id, job_template_id, platform_job_id, successful_run, final_state)
            SELECT 'u', 'r', 1, 'job-' || n, true, 'SUCCEEDED' FROM generate_series(1, 3) n
            """);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/metrics?user-run-id=r&limit=1&evil=%3Cscript%3E&echo=me");
        request.Headers.Accept.ParseAdd("text/csv");

        using var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var link = string.Join(",", response.Headers.GetValues("Link"));
        Assert.StartsWith("</v1/metrics?user-run-id=r&limit=1&cursor=", link);
        Assert.DoesNotContain("evil", link);
        Assert.DoesNotContain("echo", link);
    }

    private static async Task<TestApp> StartAsync()
    {
        var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        return app;
    }
}
