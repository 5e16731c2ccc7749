using System.Net;
using System.Net.Sockets;
using System.Text;

namespace JobTemplateService.Tests;

/// <summary>
/// Callbacks go only where they should: loopback, link-local, private, unspecified, multicast and
/// broadcast targets are refused at launch (400) and again on the address actually connected,
/// unless Callbacks:AllowedNetworks or Callbacks:AllowedHosts opens them.
/// </summary>
public sealed class CallbackTargetTests
{
    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://127.0.0.1:5432/")]
    [InlineData("http://[::1]:22/")]
    [InlineData("http://10.0.0.1/hook")]
    [InlineData("https://172.16.4.2/hook")]
    [InlineData("http://192.168.1.1/")]
    [InlineData("http://100.64.0.1/")]
    [InlineData("http://0.0.0.0:8888/")]
    [InlineData("http://224.0.0.1/")]
    [InlineData("http://255.255.255.255/")]
    [InlineData("http://[fe80::1]/")]
    [InlineData("http://[fd12:3456::1]/")]
    [InlineData("http://[::ffff:127.0.0.1]/")]
    [InlineData("http://2130706433/")]
    [InlineData("http://localhost:8888/hook")]
    public async Task LaunchRefusesACallbackToAnInternalAddress400NamingCallbackUrl(string url)
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();

        using var response = await app.PostJsonAsync("/v1/runs", CallbackTests.WithCallback(LaunchBodies.Body(), url, "s3cret"));

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest, "/problems/validation");
        Assert.Equal(["callback-url"], problem.ErrorKeys());
        Assert.Contains("Callbacks:AllowedNetworks", problem.GetProperty("errors").GetProperty("callback-url")[0].GetString());
        await app.AssertNothingLaunchedAsync();
    }

    [Theory]
    [InlineData("Callbacks:AllowedNetworks", "127.0.0.0/8")]
    [InlineData("Callbacks:AllowedHosts", "localhost,127.0.0.1")]
    public async Task AllowedNetworksOrHostsOpenWhatADeploymentNeeds(string setting, string value)
    {
        using var receiver = new CallbackReceiver();
        await using var app = await TestApp.StartAsync((s => s[setting] = value));
        await app.Database.ExampleTemplateAsync();

        var launched = await app.LaunchAsync(CallbackTests.WithCallback(LaunchBodies.Body(), receiver.Url, "s3cret"));
        await app.RunToCompletionAsync(launched.RunId);
        await CallbackTests.WaitForCallbackStateAsync(app, launched.RunId, "DELIVERED");

        Assert.Single(receiver.Received);
    }

    [Fact]
    public async Task DeliveryChecksTheAddressItConnectsToAndFailsSayingWhy()
    {
        using var receiver = new CallbackReceiver();
        // The test makes every attempt itself, so that a second one cannot come from the host's own dispatcher.
        await using var app = await TestApp.StartAsync(s => s["Callbacks:PollInterval"] = "01:00:00");
        await app.FirstPassAsync<CallbackDispatcher>();
        await app.Database.ExampleTemplateAsync();
        var launched = await app.LaunchAsync(LaunchBodies.Body());
        // As if the name had resolved elsewhere at launch (DNS rebinding), or an older version had stored it.
        await app.Database.ExecuteAsync($"UPDATE streamsets.run SET callback_url = '{receiver.Url}' WHERE run_id = '{launched.RunId}'");

        await app.RunToCompletionAsync(launched.RunId);
        var run = await AfterFirstAttemptAsync(app, launched.RunId);

        Assert.Empty(receiver.Received);
        Assert.Equal(("PENDING", 1), (run.Callback!.State, run.Callback.Attempts));
        Assert.Contains("refused", run.Callback.LastError);
        Assert.Contains("loopback", run.Callback.LastError);
        Assert.True(run.Callback.LastError!.Length <= 300);
    }

    [Fact]
    public async Task ReceiverAnswerIsReadUpTo64KiBSoAnEndlessBodyCannotHoldTheDelivery()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var stop = new CancellationTokenSource();
        var serving = ServeEndlessAnswerAsync(listener, stop.Token);
        await using var app = await TestApp.StartAsync((s =>
        {
            s["Callbacks:AllowedNetworks"] = "127.0.0.1/32";
            s["Callbacks:RequestTimeout"] = "00:00:05";
        }));
        await app.Database.ExampleTemplateAsync();

        var launched = await app.LaunchAsync(CallbackTests.WithCallback(LaunchBodies.Body(), $"http://127.0.0.1:{port}/hook", "s3cret"));
        await app.RunToCompletionAsync(launched.RunId);
        // The dispatcher also runs by itself: a delivery it has in hand is not this pass's to make.
        var run = await CallbackTests.WaitForCallbackStateAsync(app, launched.RunId, "DELIVERED");

        Assert.Equal(("DELIVERED", (int?)200), (run.Callback!.State, run.Callback.LastStatus));
        await stop.CancelAsync();
        await serving;
    }

    /// <summary>Nudges the dispatcher (it also runs by itself) until the first attempt is recorded with its error.</summary>
    private static async Task<RunResource> AfterFirstAttemptAsync(TestApp app, Guid runId)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            await app.Service<CallbackDispatcher>().RunOnceAsync(CancellationToken.None);
            var run = await app.GetRunAsync(runId);
            if (run.Callback?.LastError is not null) return run;
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"Callback of run {runId} has no recorded attempt after 30 s");
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>Answers 200 with a body announced as 100 MB, sends 70 KB of it, then holds the connection open.</summary>
    private static async Task ServeEndlessAnswerAsync(TcpListener listener, CancellationToken stop)
    {
        try
        {
            using var client = await listener.AcceptTcpClientAsync(stop);
            var stream = client.GetStream();
            var buffer = new byte[64 * 1024];
            _ = await stream.ReadAsync(buffer, stop); // the request: its content is not needed
            var head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100000000\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head), stop);
            await stream.WriteAsync(new byte[70 * 1024], stop);
            await Task.Delay(TimeSpan.FromSeconds(30), stop);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException or OperationCanceledException)
        {
            // The service hung up, or the test is over.
        }
    }
}
