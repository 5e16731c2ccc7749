using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace JobTemplateService.Tests;

/// <summary>
/// Secrets at rest: the idempotency fingerprint is an HMAC keyed per database, callback secrets are
/// encrypted with Data Protection (its key ring in the database), and rows from before both still work.
/// </summary>
public sealed class SecretsAtRestTests
{
    [Fact]
    public async Task IdempotencyFingerprintIsKeyedPerDatabaseNotAPlainHashOfTheSecrets()
    {
        var body = LaunchBodies.Body(sets: LaunchBodies.City("London"));
        body["callback-url"] = "https://hooks.example.com/jts";
        body["callback-secret"] = "guessable-1";
        await using var first = await TestApp.StartAsync();
        await using var second = await TestApp.StartAsync();
        foreach (var app in new[] { first, second })
        {
            await app.Database.ExampleTemplateAsync();
            using var response = await app.PostJsonAsync("/v1/runs", body);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        var fingerprints = new[]
        {
            await first.Database.ScalarAsync<string>("SELECT fingerprint FROM streamsets.launch_request"),
            await second.Database.ScalarAsync<string>("SELECT fingerprint FROM streamsets.launch_request"),
        }.OfType<string>().ToList();

        Assert.NotEqual(fingerprints[0], fingerprints[1]);
        Assert.DoesNotContain(LegacyFingerprint(body), fingerprints);
    }

    [Fact]
    public async Task LaunchRecordedWithAPlainFingerprintBeforeTheUpgradeStillReplays()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        var body = LaunchBodies.Body();
        using var first = await app.PostJsonAsync("/v1/runs", body);
        await app.Database.ExecuteAsync("UPDATE streamsets.launch_request SET fingerprint = @legacy", new { legacy = LegacyFingerprint(body) });

        using var repeat = await app.PostJsonAsync("/v1/runs", body);

        Assert.Equal((HttpStatusCode.Accepted, HttpStatusCode.Accepted), (first.StatusCode, repeat.StatusCode));
        Assert.Equal(["true"], repeat.Headers.GetValues("Idempotent-Replayed"));
    }

    [Fact]
    public async Task CallbackSecretIsStoredEncryptedAndAnotherReplicaStillSignsWithIt()
    {
        const string secret = "whsec-at-rest-8c2f41d9";
        using var receiver = new CallbackReceiver();
        var database = await TestDatabase.CreateAsync();
        await using var launcher = await TestApp.StartAsync((CallbackReceiver.AllowLoopback), database: database);
        await database.ExampleTemplateAsync();
        var launched = await launcher.LaunchAsync(CallbackTests.WithCallback(LaunchBodies.Body(), receiver.Url, secret));
        var stored = await database.ScalarAsync<string>($"SELECT callback_secret FROM streamsets.run WHERE run_id = '{launched.RunId}'");
        await launcher.DisposeAsync();

        await using var deliverer = await TestApp.StartAsync((CallbackReceiver.AllowLoopback), database: database);
        await deliverer.RunToCompletionAsync(launched.RunId);
        await CallbackTests.WaitForCallbackStateAsync(deliverer, launched.RunId, "DELIVERED");

        Assert.DoesNotContain(secret, stored);
        Assert.DoesNotContain(secret, string.Concat((await database.DumpAsync()).SelectMany(t => t.Value)));
        Assert.True(Assert.Single(receiver.Received).SignatureVerifies(secret));
    }

    [Fact]
    public async Task PlainCallbackSecretOfARunFromBeforeTheUpgradeIsEncryptedOnStartAndStillSigns()
    {
        using var receiver = new CallbackReceiver();
        var database = await TestDatabase.CreateAsync();
        await using var before = await TestApp.StartAsync(CallbackReceiver.AllowLoopback, database: database);
        await database.ExampleTemplateAsync();
        var launched = await before.LaunchAsync(CallbackTests.WithCallback(LaunchBodies.Body(), receiver.Url, "replaced"));
        await before.DisposeAsync();
        await database.ExecuteAsync($"UPDATE streamsets.run SET callback_secret = 'plain-old-secret' WHERE run_id = '{launched.RunId}'");

        await using var upgraded = await TestApp.StartAsync(CallbackReceiver.AllowLoopback, database: database);
        await upgraded.Service<CallbackDispatcher>().RunOnceAsync(CancellationToken.None);
        var stored = await database.ScalarAsync<string>($"SELECT callback_secret FROM streamsets.run WHERE run_id = '{launched.RunId}'");
        await upgraded.RunToCompletionAsync(launched.RunId);
        await CallbackTests.WaitForCallbackStateAsync(upgraded, launched.RunId, "DELIVERED");

        Assert.StartsWith("dp1:", stored);
        Assert.True(Assert.Single(receiver.Received).SignatureVerifies("plain-old-secret"));
    }

    /// <summary>The fingerprint as versions before 0003 computed it: SHA-256 over length-prefixed fields.</summary>
    private static string LegacyFingerprint(JsonObject body)
    {
        var canonical = new StringBuilder();
        void Append(string value) => canonical.Append(value.Length).Append(':').Append(value);
        foreach (var field in new[] { "user-id", "user-run-id", "source-type", "target-type", "callback-url", "callback-secret" })
            Append(body[field]?.GetValue<string>() ?? "");
        foreach (var set in body["runtime-parameters"]!.AsArray())
        {
            canonical.Append('{');
            foreach (var (key, value) in set!.AsObject().OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                Append(key);
                Append(value!.GetValue<string>());
            }
            canonical.Append('}');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())));
    }

    [Fact]
    public async Task ReplicasCreatingTheFingerprintKeyAtOnceAllGetTheOneStored()
    {
        await using var app = await TestApp.StartAsync();
        var dataSource = app.Service<Npgsql.NpgsqlDataSource>();
        for (var round = 0; round < 5; round++)
        {
            await app.Database.ExecuteAsync("DELETE FROM streamsets.service_key");

            var keys = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
                await new ServiceKeys(dataSource).FingerprintKeyAsync(CancellationToken.None))));

            var stored = await app.Database.ScalarAsync<byte[]>("SELECT key FROM streamsets.service_key");
            Assert.All(keys, key => Assert.Equal(stored, key));
        }
    }
}
