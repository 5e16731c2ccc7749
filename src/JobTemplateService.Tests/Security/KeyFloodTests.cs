using System.Net;
using Microsoft.Extensions.DependencyInjection;

namespace JobTemplateService.Tests;

/// <summary>
/// Traffic without a valid key is throttled per client address before any key is looked up; a
/// wrong key writes nothing; last_used_at is written after the hash matched, at most once a
/// minute; a flood of invalid keys cannot push valid ones out of the key cache.
/// </summary>
public sealed class KeyFloodTests
{
    [Fact]
    public async Task RequestsWithoutAValidKeyAreThrottledPerAddressAndValidKeysStillGetIn()
    {
        await using var app = await TestApp.StartAsync(settings =>
        {
            ApiKeyRequests.ApiKeys(settings);
            settings["Security:UnauthenticatedRequestsPerSecond"] = "1";
            settings["Security:UnauthenticatedBurst"] = "5";
        });
        var key = await app.CreateKeyAsync("ci", "read");
        using (var first = await app.SendAsync(HttpMethod.Get, "/v1/runs", key)) Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 20; i++)
        {
            using var response = await app.SendAsync(HttpMethod.Get, "/v1/runs", $"jts_{i:D10}_unknownSecretOfNoKey{i}");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                await response.ReadProblemAsync(HttpStatusCode.TooManyRequests, "/problems/rate-limited");
                Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
            }
        }
        using var anonymous = await app.SendAsync(HttpMethod.Get, "/v1/runs", key: null);
        using var valid = await app.SendAsync(HttpMethod.Get, "/v1/runs", key);

        Assert.InRange(statuses.Count(s => s == HttpStatusCode.Unauthorized), 4, 7); // the valid key's first, still unknown, request spent one
        Assert.Equal(20, statuses.Count(s => s is HttpStatusCode.Unauthorized or HttpStatusCode.TooManyRequests));
        Assert.Equal(HttpStatusCode.TooManyRequests, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
    }

    [Fact]
    public async Task WrongSecretForARealPrefixWritesNothing()
    {
        await using var app = await TestApp.StartAsync(ApiKeyRequests.ApiKeys);
        var key = await app.CreateKeyAsync("ci", "read");
        var wrong = key[..15] + new string('x', key.Length - 15);

        using var response = await app.SendAsync(HttpMethod.Get, "/v1/runs", wrong);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0L, await app.Database.ScalarAsync<long>("SELECT count(*) FROM streamsets.api_key WHERE last_used_at IS NOT NULL"));
    }

    [Fact]
    public async Task LastUsedAtIsWrittenAtMostOnceAMinutePerKey()
    {
        await using var app = await TestApp.StartAsync(ApiKeyRequests.ApiKeys);
        var key = await app.CreateKeyAsync("ci", "read");
        const string lastUsed = "SELECT extract(epoch FROM now() - last_used_at)::int FROM streamsets.api_key WHERE name = 'ci'";

        using (await app.SendAsync(HttpMethod.Get, "/v1/runs", key)) { }
        var afterFirst = await app.Database.ScalarAsync<int>(lastUsed);
        await app.Database.ExecuteAsync("UPDATE streamsets.api_key SET last_used_at = now() - interval '30 seconds'");
        using (await app.SendAsync(HttpMethod.Get, "/v1/runs", key)) { }
        var withinTheMinute = await app.Database.ScalarAsync<int>(lastUsed);
        await app.Database.ExecuteAsync("UPDATE streamsets.api_key SET last_used_at = now() - interval '2 minutes'");
        using (await app.SendAsync(HttpMethod.Get, "/v1/runs", key)) { }
        var afterTheMinute = await app.Database.ScalarAsync<int>(lastUsed);

        Assert.InRange(afterFirst, 0, 5);
        Assert.InRange(withinTheMinute, 30, 35);
        Assert.InRange(afterTheMinute, 0, 5);
    }

    [Fact]
    public async Task FloodOfInvalidKeysDoesNotEvictValidKeysFromTheCache()
    {
        await using var app = await TestApp.StartAsync(settings =>
        {
            ApiKeyRequests.ApiKeys(settings);
            settings["Security:KeyCacheDuration"] = "01:00:00";
        });
        var key = await app.CreateKeyAsync("ci", "read");
        var validator = app.Services.GetRequiredService<ApiKeyValidator>();
        Assert.NotNull(await validator.ValidateAsync(key, CancellationToken.None));
        // Revoked behind the cache's back: only a fresh look-up would notice.
        await app.Database.ExecuteAsync("UPDATE streamsets.api_key SET revoked_at = now()");

        for (var i = 0; i < 10_050; i++) Assert.Null(await validator.ValidateAsync($"not-a-key-{i}", CancellationToken.None));
        var afterFlood = await validator.ValidateAsync(key, CancellationToken.None);

        Assert.Equal("ci", afterFlood?.Name);
    }
}
