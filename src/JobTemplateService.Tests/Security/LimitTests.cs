using System.Net;

namespace JobTemplateService.Tests;

/// <summary>
/// Rate limiting per API key: Security:RequestsPerSecond with Security:Burst on top, then 429 with
/// Retry-After. (The body size limit, 413, and the instance limit are in LaunchValidationTests and
/// RuntimeParametersValidationTests.)
/// </summary>
public sealed class LimitTests
{
    [Fact]
    public async Task QuickRequestsBeyondTheBurstAreRefused429WithRetryAfterForThatKeyOnly()
    {
        await using var app = await TestApp.StartAsync(settings =>
        {
            ApiKeyRequests.ApiKeys(settings);
            settings["Security:RequestsPerSecond"] = "1";
            settings["Security:Burst"] = "2";
        });
        var alice = await app.CreateKeyAsync("alice", "read");
        var bob = await app.CreateKeyAsync("bob", "read");

        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 5; i++) responses.Add(await app.SendAsync(HttpMethod.Get, "/v1/runs", alice));
        using var other = await app.SendAsync(HttpMethod.Get, "/v1/runs", bob);

        // One token a second may come back between the quick requests, never three.
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], responses.Take(2).Select(r => r.StatusCode));
        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.InRange(refused.Count, 2, 3);
        foreach (var response in refused)
        {
            await response.ReadProblemAsync(HttpStatusCode.TooManyRequests, "/problems/rate-limited");
            Assert.InRange(response.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        }
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        responses.ForEach(r => r.Dispose());
    }
}
