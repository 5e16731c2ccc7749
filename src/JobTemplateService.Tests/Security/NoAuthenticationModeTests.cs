using System.Net;

namespace JobTemplateService.Tests;

/// <summary>
/// Security:Mode=None stays a local demo: it refuses to start on a non-loopback address (unless
/// Security:AllowNoNetworkAuth says otherwise), has no admin API, and answers only localhost names.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class NoAuthenticationModeTests
{
    [Theory]
    [InlineData("http://0.0.0.0:0")]
    [InlineData("http://*:0")]
    [InlineData("http://[::]:0")]
    [InlineData("http://127.0.0.1:0;http://example.com:0")]
    public async Task NoneModeRefusesToStartOnANonLoopbackAddress(string urls)
    {
        var directory = ServiceProcess.Directory();

        var result = await ServiceProcess.RunAsync(directory, Settings(), null, "--urls", urls);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith("configuration error: appsettings.json Security:Mode: None", line);
        Assert.Contains("Security:AllowNoNetworkAuth", line);
    }

    [Theory]
    [InlineData(new[] { "http://127.0.0.1:8888" }, true)]
    [InlineData(new[] { "http://localhost:8888", "https://[::1]:8443" }, true)]
    [InlineData(new[] { "http://0.0.0.0:8888" }, false)]
    [InlineData(new[] { "http://*:8888" }, false)]
    [InlineData(new[] { "http://+:8888" }, false)]
    [InlineData(new[] { "http://[::]:8888" }, false)]
    [InlineData(new[] { "http://10.0.0.5:8888" }, false)]
    [InlineData(new[] { "http://jts.internal:8888" }, false)]
    [InlineData(new[] { "http://127.0.0.1:8888", "http://192.168.1.2:8888" }, false)]
    public void OnlyLoopbackAddressesAndLocalhostCountAsLocal(string[] urls, bool local)
    {
        Assert.Equal(local, ListeningAddresses.AllLoopback(urls));
    }

    [Fact]
    public async Task NoneModeHasNoAdminApi()
    {
        await using var app = await TestApp.StartAsync();

        using var list = await app.Client.GetAsync("/v1/admin/api-keys");

        Assert.Equal(HttpStatusCode.NotFound, list.StatusCode);
    }

    [Theory]
    [InlineData("localhost", HttpStatusCode.OK)]
    [InlineData("127.0.0.1:8888", HttpStatusCode.OK)]
    [InlineData("[::1]:8888", HttpStatusCode.OK)]
    [InlineData("attacker.example.com", HttpStatusCode.BadRequest)]
    [InlineData("jts.rebound.example.net:8888", HttpStatusCode.BadRequest)]
    public async Task NoneModeAnswersOnlyRequestsForLocalhostNames(string host, HttpStatusCode expected)
    {
        await using var app = await TestApp.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/runs");
        request.Headers.Host = host;

        using var response = await app.Client.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
    }

    private static Dictionary<string, string> Settings() => new()
    {
        ["Security__Mode"] = "None", ["postgresql__host"] = "127.0.0.1", ["postgresql__database"] = "unused",
        ["postgresql__user"] = "unused", ["streamsets__url"] = "http://127.0.0.1:1", ["streamsets__cred_id"] = ControlHubSimulator.CredId,
        ["streamsets__cred_token"] = ControlHubSimulator.CredToken,
    };
}
