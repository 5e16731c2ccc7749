namespace JobTemplateService.Tests;

/// <summary>
/// Callback delivery that does not succeed at once: retried with exponential backoff from the
/// durable outbox, given up after Callbacks:MaxAttempts, and continued by a restarted service.
/// The hosted dispatcher waits an hour between passes here, after the one it runs at start (awaited
/// before each test begins), so each test drives the passes.
/// </summary>
public sealed class CallbackRetryTests
{
    private const string Secret = "whsec-retry-77e0";

    [Fact]
    public async Task FailedDeliveryStaysPendingWithBackoffAndIsRetriedUntilTheReceiverAccepts()
    {
        using var receiver = new CallbackReceiver { StatusFor = n => n <= 2 ? 500 : 200 };
        await using var app = await StartAsync();
        var runId = await FinishedRunAsync(app, receiver.Url);

        await PassAsync(app);
        var afterFirst = (await app.GetRunAsync(runId)).Callback!;
        var firstBackoff = await SecondsUntilDueAsync(app, runId);
        await PassAsync(app);
        var receivedWhileBackingOff = receiver.Received.Count;
        await MakeDueAsync(app);
        await PassAsync(app);
        var afterSecond = (await app.GetRunAsync(runId)).Callback!;
        var secondBackoff = await SecondsUntilDueAsync(app, runId);
        await MakeDueAsync(app);
        await PassAsync(app);
        var delivered = (await app.GetRunAsync(runId)).Callback!;

        Assert.Equal(("PENDING", 1, (int?)500, "HTTP 500", (DateTime?)null),
            (afterFirst.State, afterFirst.Attempts, afterFirst.LastStatus, afterFirst.LastError, afterFirst.DeliveredAt));
        Assert.Equal(1, receivedWhileBackingOff);
        Assert.InRange(firstBackoff, 0.3, 1.3);
        Assert.Equal(("PENDING", 2, (int?)500), (afterSecond.State, afterSecond.Attempts, afterSecond.LastStatus));
        Assert.InRange(secondBackoff, 1.1, 2.5);
        Assert.Equal(("DELIVERED", 3, (int?)200, (string?)null), (delivered.State, delivered.Attempts, delivered.LastStatus, delivered.LastError));
        Assert.NotNull(delivered.DeliveredAt);
        Assert.Equal(3, receiver.Received.Count);
        Assert.Single(receiver.Received.Select(r => r.Header("X-JTS-Delivery")).Distinct());
        Assert.All(receiver.Received, r => Assert.True(r.SignatureVerifies(Secret)));
    }

    [Fact]
    public async Task DeliveryEndsFailedAfterMaxAttemptsAndIsNotTriedAgain()
    {
        using var receiver = new CallbackReceiver { StatusFor = _ => 503 };
        await using var app = await StartAsync(settings => settings["Callbacks:MaxAttempts"] = "2");
        var runId = await FinishedRunAsync(app, receiver.Url);

        await PassAsync(app);
        await MakeDueAsync(app);
        await PassAsync(app);
        var failed = (await app.GetRunAsync(runId)).Callback!;
        await MakeDueAsync(app);
        await PassAsync(app);

        Assert.Equal(("FAILED", 2, (int?)503, "HTTP 503", (DateTime?)null),
            (failed.State, failed.Attempts, failed.LastStatus, failed.LastError, failed.DeliveredAt));
        Assert.Equal(2, receiver.Received.Count);
        Assert.Equal("FAILED", (await app.GetRunAsync(runId)).Callback!.State);
    }

    [Fact]
    public async Task QueuedDeliverySurvivesARestartAndIsDeliveredWithTheSameDeliveryId()
    {
        var port = CallbackReceiver.FreePort();
        var url = $"http://localhost:{port}{CallbackReceiver.Path}";
        await using var database = await TestDatabase.CreateAsync();
        var first = await StartAsync(database: database);
        Guid runId;
        try
        {
            runId = await FinishedRunAsync(first, url);
            await PassAsync(first); // the receiver is down: connection refused
        }
        finally
        {
            await first.DisposeAsync();
        }
        var pending = await database.StringsAsync(
            $"SELECT concat_ws('|', delivery_id, state, attempts, (last_error IS NOT NULL)::text) FROM streamsets.callback_delivery WHERE run_id = '{runId}'");
        var deliveryId = pending.Single().Split('|')[0];
        using var receiver = new CallbackReceiver(port);

        // A new replica on the same database, with the dispatcher running by itself as in production.
        await using var second = await TestApp.StartAsync(LocalJobs.Command("echo_job", "true", CallbackReceiver.AllowLoopback), database: database);
        await second.Database.ExecuteAsync("UPDATE streamsets.callback_delivery SET next_attempt_at = now()");
        var callback = (await receiver.WaitForAsync(1)).Single();
        var run = await CallbackTests.WaitForCallbackStateAsync(second, runId, "DELIVERED");

        Assert.Equal($"{deliveryId}|PENDING|1|true", pending.Single());
        Assert.Equal(deliveryId, callback.Header("X-JTS-Delivery"));
        Assert.Equal(deliveryId, callback.Json.GetProperty("delivery-id").GetString());
        Assert.True(callback.SignatureVerifies(Secret));
        Assert.Equal(("DELIVERED", 2, (int?)200), (run.Callback!.State, run.Callback.Attempts, run.Callback.LastStatus));
        Assert.Single(receiver.Received);
    }

    private static async Task<TestApp> StartAsync(Action<Dictionary<string, string?>>? more = null, TestDatabase? database = null)
    {
        var app = await TestApp.StartAsync(LocalJobs.Command("echo_job", "echo \"JTS_METRICS input=2 output=2 errors=0\"", settings =>
        {
            settings["Callbacks:PollInterval"] = "01:00:00";
            CallbackReceiver.AllowLoopback(settings);
            more?.Invoke(settings);
        }), database: database);
        await app.FirstPassAsync<CallbackDispatcher>();
        return app;
    }

    private static async Task<Guid> FinishedRunAsync(TestApp app, string url)
    {
        await app.Database.LocalTemplateAsync("echo_job");
        var launched = await app.LaunchAsync(CallbackTests.WithCallback(LocalJobs.Body("retry-1"), url, Secret));
        var run = await app.WaitForRunAsync(launched.RunId);
        Assert.Equal(RunStates.Succeeded, run.State);
        return run.RunId;
    }

    private static Task<int> PassAsync(TestApp app) => app.Service<CallbackDispatcher>().RunOnceAsync(CancellationToken.None);

    private static Task MakeDueAsync(TestApp app) =>
        app.Database.ExecuteAsync("UPDATE streamsets.callback_delivery SET next_attempt_at = now()");

    private static Task<double> SecondsUntilDueAsync(TestApp app, Guid runId) => app.Database.ScalarAsync<double>(
        $"SELECT extract(epoch FROM next_attempt_at - now())::float8 FROM streamsets.callback_delivery WHERE run_id = '{runId}'");
}
