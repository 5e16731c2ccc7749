using System.Net;
using System.Text.Json.Nodes;

namespace JobTemplateService.Tests;

/// <summary>callback-url and callback-secret in the launch body: only absolute http(s) URLs, and a secret only with a URL.</summary>
public sealed class CallbackValidationTests
{
    public static TheoryData<string> BadCallbackUrls() => new()
    {
        "ftp://ci.example.com/hooks/jts",
        "file:///etc/passwd",
        "/hooks/jts",
        "ci.example.com/hooks/jts",
        "   ",
        "https://ci.example.com/" + new string('a', 2049),
    };

    [Theory]
    [MemberData(nameof(BadCallbackUrls))]
    public async Task LaunchRejectsACallbackUrlThatIsNotAnAbsoluteHttpUrlOfAtMost2048Characters(string url)
    {
        await using var app = await TestApp.StartAsync(LocalJobs.Command("echo_job", "true", CallbackReceiver.AllowLoopback));
        await app.Database.LocalTemplateAsync("echo_job");

        using var response = await app.PostJsonAsync("/v1/runs", CallbackTests.WithCallback(LocalJobs.Body("bad-url"), url, secret: null));

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest, "/problems/validation");
        Assert.Equal(["callback-url"], problem.ErrorKeys());
        await app.AssertNothingLaunchedAsync();
    }

    [Theory]
    [InlineData("ftp://ci.example.com/hooks/jts")]
    [InlineData(" ")]
    [InlineData("too long")]
    public async Task InvalidCallbackUrlWithASecretIsReportedAsABadCallbackUrlOnly(string url)
    {
        await using var app = await TestApp.StartAsync(LocalJobs.Command("echo_job", "true", CallbackReceiver.AllowLoopback));
        await app.Database.LocalTemplateAsync("echo_job");
        url = url == "too long" ? "https://ci.example.com/" + new string('a', 2049) : url;

        using var response = await app.PostJsonAsync("/v1/runs", CallbackTests.WithCallback(LocalJobs.Body("bad-url-secret"), url, "s3cret"));

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest, "/problems/validation");
        Assert.Equal(["callback-url"], problem.ErrorKeys()); // the body has a callback-url: "needs a callback-url" would mislead
        await app.AssertNothingLaunchedAsync();
    }

    [Fact]
    public async Task LaunchRejectsANonStringCallbackUrl()
    {
        await using var app = await TestApp.StartAsync(LocalJobs.Command("echo_job", "true", CallbackReceiver.AllowLoopback));
        await app.Database.LocalTemplateAsync("echo_job");
        var body = LocalJobs.Body("bad-url-type");
        body["callback-url"] = new JsonArray("https://ci.example.com/hooks/jts");

        using var response = await app.PostJsonAsync("/v1/runs", body);

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest, "/problems/validation");
        Assert.Equal(["callback-url"], problem.ErrorKeys());
        await app.AssertNothingLaunchedAsync();
    }

    [Fact]
    public async Task LaunchRejectsACallbackSecretWithoutACallbackUrl()
    {
        await using var app = await TestApp.StartAsync(LocalJobs.Command("echo_job", "true", CallbackReceiver.AllowLoopback));
        await app.Database.LocalTemplateAsync("echo_job");
        var body = LocalJobs.Body("secret-only");
        body["callback-secret"] = "s3cret";

        using var response = await app.PostJsonAsync("/v1/runs", body);

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest, "/problems/validation");
        Assert.Equal(["callback-secret"], problem.ErrorKeys());
        await app.AssertNothingLaunchedAsync();
    }

    [Fact]
    public async Task LaunchWithAnHttpCallbackUrlAnswers202WithTheCallbackWaitingForTheRun()
    {
        using var receiver = new CallbackReceiver();
        await using var app = await TestApp.StartAsync(LocalJobs.Command("short_job", "sleep 2", CallbackReceiver.AllowLoopback));
        await app.Database.LocalTemplateAsync("short_job");

        var launched = await app.LaunchAsync(CallbackTests.WithCallback(LocalJobs.Body("good-url"), receiver.Url, "s3cret"));

        Assert.NotNull(launched.Callback);
        Assert.Equal((receiver.Url, "WAITING_FOR_RUN", 0, (int?)null, (string?)null, (DateTime?)null),
            (launched.Callback.Url, launched.Callback.State, launched.Callback.Attempts, launched.Callback.LastStatus,
                launched.Callback.LastError, launched.Callback.DeliveredAt));
        Assert.Equal(receiver.Url, await app.Database.ScalarAsync<string>(
            $"SELECT callback_url FROM streamsets.run WHERE run_id = '{launched.RunId}'"));
    }
}
