using System.Diagnostics;
using System.Text.Json.Nodes;

namespace JobTemplateService.Tests;

/// <summary>
/// Completion callbacks: a launch with callback-url gets one signed POST when its run finishes,
/// from an outbox row queued with the terminal state; delivery state shows in the run resource.
/// </summary>
public sealed class CallbackTests
{
    private const string Secret = "whsec-test-5d1c9a";
    private const string EchoJob = "echo hello; echo \"JTS_METRICS input=5 output=4 errors=1\"";

    [Fact]
    public async Task FinishedRunPostsOneSignedRunFinishedSummaryToTheCallbackUrl()
    {
        using var receiver = new CallbackReceiver();
        await using var app = await TestApp.StartAsync(LocalJobs.Command("echo_job", EchoJob, CallbackReceiver.AllowLoopback));
        await app.Database.LocalTemplateAsync("echo_job");

        var launched = await app.LaunchAsync(WithCallback(LocalJobs.Body("cb-1"), receiver.Url, Secret));
        await app.WaitForRunAsync(launched.RunId);
        var run = await WaitForCallbackStateAsync(app, launched.RunId, "DELIVERED");
        var deliveryId = await app.Database.ScalarAsync<Guid>(
            $"SELECT delivery_id FROM streamsets.callback_delivery WHERE run_id = '{launched.RunId}'");
        await app.Service<CallbackDispatcher>().RunOnceAsync(CancellationToken.None);
        var callback = Assert.Single(receiver.Received);
        var json = callback.Json;

        Assert.Equal("run.finished", json.GetProperty("event").GetString());
        Assert.Equal(deliveryId, json.GetProperty("delivery-id").GetGuid());
        Assert.True(Math.Abs((DateTime.UtcNow - json.GetProperty("sent-at").GetDateTime()).TotalMinutes) < 5);
        var summary = json.GetProperty("run");
        Assert.Equal(launched.RunId, summary.GetProperty("run-id").GetGuid());
        Assert.Equal(RunStates.Succeeded, summary.GetProperty("state").GetString());
        var instance = summary.GetProperty("instances").EnumerateArray().Single();
        Assert.Equal((InstanceStates.Succeeded, 5L, 4L, 1L), (instance.GetProperty("state").GetString(),
            instance.GetProperty("metrics").GetProperty("input-record-count").GetInt64(),
            instance.GetProperty("metrics").GetProperty("output-record-count").GetInt64(),
            instance.GetProperty("metrics").GetProperty("error-record-count").GetInt64()));
        Assert.Equal(run.Instances[0].InstanceId, instance.GetProperty("instance-id").GetGuid());
        Assert.Equal("run.finished", callback.Header("X-JTS-Event"));
        Assert.Equal(deliveryId.ToString(), callback.Header("X-JTS-Delivery"));
        Assert.StartsWith("application/json", callback.Header("Content-Type"));
        Assert.Matches("^t=[0-9]+,v1=[0-9a-f]{64}$", callback.Header("X-JTS-Signature"));
        Assert.True(callback.SignatureVerifies(Secret));
        Assert.False(callback.SignatureVerifies(Secret + "x"));
        Assert.True(Math.Abs((DateTimeOffset.UtcNow - callback.SignedAt).TotalMinutes) < 5);
        Assert.DoesNotContain(Secret, System.Text.Encoding.UTF8.GetString(callback.Body));
    }

    [Fact]
    public async Task RunResourceShowsTheCallbackDeliveredFromOneDeliveryRowQueuedWithTheTerminalState()
    {
        using var receiver = new CallbackReceiver();
        await using var app = await TestApp.StartAsync(LocalJobs.Command("echo_job", EchoJob, CallbackReceiver.AllowLoopback));
        await app.Database.LocalTemplateAsync("echo_job");

        var launched = await app.LaunchAsync(WithCallback(LocalJobs.Body("cb-2"), receiver.Url, Secret));
        var finished = await app.WaitForRunAsync(launched.RunId);
        var run = await WaitForCallbackStateAsync(app, launched.RunId, "DELIVERED");
        var rows = $"""
            FROM streamsets.callback_delivery d JOIN streamsets.run r USING (run_id) JOIN streamsets.run_instance i USING (run_id)
            WHERE run_id = '{launched.RunId}'
            """;

        Assert.Equal(RunStates.Succeeded, finished.State);
        Assert.Equal(1L, await app.Database.ScalarAsync<long>($"SELECT count(*) {rows}"));
        // now() is the transaction's start: equal timestamps mean one transaction finished the instance, the run and queued the row.
        Assert.True(await app.Database.ScalarAsync<bool>($"SELECT d.created_at = r.finished_at AND d.created_at = i.updated_at {rows}"));
        Assert.NotNull(run.Callback);
        Assert.Equal((receiver.Url, "DELIVERED", 1, (int?)200, (string?)null),
            (run.Callback.Url, run.Callback.State, run.Callback.Attempts, run.Callback.LastStatus, run.Callback.LastError));
        Assert.NotNull(run.Callback.DeliveredAt);
        Assert.True(run.Callback.DeliveredAt >= run.FinishedAt);
        Assert.Single(receiver.Received);
    }

    [Fact]
    public async Task FailedRunPostsItsCallbackWithTheFailedStateAndTheInstanceError()
    {
        using var receiver = new CallbackReceiver();
        await using var app = await TestApp.StartAsync(
            LocalJobs.Command("failing_job", "echo 'disk full' >&2; exit 4", CallbackReceiver.AllowLoopback));
        await app.Database.LocalTemplateAsync("failing_job");

        var launched = await app.LaunchAsync(WithCallback(LocalJobs.Body("cb-5"), receiver.Url, Secret));
        await app.WaitForRunAsync(launched.RunId);
        await WaitForCallbackStateAsync(app, launched.RunId, "DELIVERED");
        var summary = Assert.Single(receiver.Received).Json.GetProperty("run");

        Assert.Equal(RunStates.Failed, summary.GetProperty("state").GetString());
        var instance = summary.GetProperty("instances").EnumerateArray().Single();
        Assert.Equal(InstanceStates.Failed, instance.GetProperty("state").GetString());
        Assert.Equal("Exited with code 4: disk full", instance.GetProperty("error").GetString());
    }

    [Fact]
    public async Task LaunchRejectedByThePlatformStillPostsTheCallbackOfItsFailedRun()
    {
        using var receiver = new CallbackReceiver();
        await using var app = await TestApp.StartAsync(LocalJobs.Command("known_job", "true", CallbackReceiver.AllowLoopback));
        await app.Database.LocalTemplateAsync("missing_job");

        using var response = await app.PostJsonAsync("/v1/runs", WithCallback(LocalJobs.Body("cb-6"), receiver.Url, Secret));
        var runId = await app.Database.ScalarAsync<Guid>("SELECT run_id FROM streamsets.run WHERE user_run_id = 'cb-6'");
        await WaitForCallbackStateAsync(app, runId, "DELIVERED");
        var summary = Assert.Single(receiver.Received).Json.GetProperty("run");

        Assert.Equal(System.Net.HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal((runId, RunStates.Failed), (summary.GetProperty("run-id").GetGuid(), summary.GetProperty("state").GetString()));
        Assert.Equal(InstanceStates.StartFailed, summary.GetProperty("instances")[0].GetProperty("state").GetString());
    }

    [Fact]
    public async Task CallbackWithoutASecretIsPostedWithoutASignatureHeader()
    {
        using var receiver = new CallbackReceiver();
        await using var app = await TestApp.StartAsync(LocalJobs.Command("echo_job", EchoJob, CallbackReceiver.AllowLoopback));
        await app.Database.LocalTemplateAsync("echo_job");

        var launched = await app.LaunchAsync(WithCallback(LocalJobs.Body("cb-3"), receiver.Url, secret: null));
        await app.WaitForRunAsync(launched.RunId);
        await WaitForCallbackStateAsync(app, launched.RunId, "DELIVERED");
        var callback = Assert.Single(receiver.Received);

        Assert.Null(callback.Header("X-JTS-Signature"));
        Assert.Equal("run.finished", callback.Header("X-JTS-Event"));
        Assert.Equal(launched.RunId, callback.Json.GetProperty("run").GetProperty("run-id").GetGuid());
    }

    [Fact]
    public async Task RunLaunchedWithoutACallbackQueuesNoDeliveryAndShowsNoCallback()
    {
        await using var app = await TestApp.StartAsync(LocalJobs.Command("echo_job", EchoJob, CallbackReceiver.AllowLoopback));
        await app.Database.LocalTemplateAsync("echo_job");

        var launched = await app.LaunchAsync(LocalJobs.Body("cb-4"));
        var run = await app.WaitForRunAsync(launched.RunId);

        Assert.Equal(RunStates.Succeeded, run.State);
        Assert.Null(run.Callback);
        Assert.Equal(0L, await app.Database.ScalarAsync<long>("SELECT count(*) FROM streamsets.callback_delivery"));
    }

    internal static JsonObject WithCallback(JsonObject body, string url, string? secret)
    {
        body["callback-url"] = url;
        if (secret is not null) body["callback-secret"] = secret;
        return body;
    }

    /// <summary>Nudges the dispatcher (it also runs every second by itself) until the run's callback is in the state.</summary>
    internal static async Task<RunResource> WaitForCallbackStateAsync(TestApp app, Guid runId, string state)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            await app.Service<CallbackDispatcher>().RunOnceAsync(CancellationToken.None);
            var run = await app.GetRunAsync(runId);
            if (run.Callback?.State == state) return run;
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30),
                $"Callback of run {runId} is {run.Callback?.State ?? "absent"} (attempts {run.Callback?.Attempts}, {run.Callback?.LastError}), not {state}");
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
    }
}
