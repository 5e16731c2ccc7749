using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace JobTemplateService.Tests;

/// <summary>
/// By default any read key sees every run. A key created with own-runs-only sees, cancels and
/// reads only the runs it launched: everyone else's answer 404.
/// </summary>
public sealed class RunOwnershipTests
{
    [Fact]
    public async Task OwnRunsOnlyKeySeesAndCancelsOnlyItsOwnRunsAndOthersAnswer404()
    {
        await using var app = await TestApp.StartAsync(ApiKeyRequests.ApiKeys);
        await app.Database.ExampleTemplateAsync();
        var alice = await app.CreateKeyOverHttpAsync("alice", ownRunsOnly: true);
        var bob = await app.CreateKeyOverHttpAsync("bob", ownRunsOnly: false);
        var bobsRun = await LaunchAsync(app, bob, "bob-1");
        var alicesRun = await LaunchAsync(app, alice, "alice-1");

        using var get = await app.SendAsync(HttpMethod.Get, $"/v1/runs/{bobsRun}", alice);
        using var outcome = await app.SendAsync(HttpMethod.Get, $"/v1/runs/{bobsRun}/outcome", alice);
        using var log = await app.SendAsync(HttpMethod.Get, $"/v1/runs/{bobsRun}/instances/0/log", alice);
        using var cancel = await app.SendAsync(HttpMethod.Post, $"/v1/runs/{bobsRun}/cancel", alice);
        using var list = await app.SendAsync(HttpMethod.Get, "/v1/runs", alice);
        using var own = await app.SendAsync(HttpMethod.Get, $"/v1/runs/{alicesRun}", alice);
        using var bobsList = await app.SendAsync(HttpMethod.Get, "/v1/runs", bob);

        await get.ReadProblemAsync(HttpStatusCode.NotFound, "/problems/not-found");
        await outcome.ReadProblemAsync(HttpStatusCode.NotFound, "/problems/not-found");
        await log.ReadProblemAsync(HttpStatusCode.NotFound, "/problems/not-found");
        await cancel.ReadProblemAsync(HttpStatusCode.NotFound, "/problems/not-found");
        Assert.Equal(0L, await app.Database.ScalarAsync<long>("SELECT count(*) FROM streamsets.run WHERE cancel_requested_at IS NOT NULL"));
        Assert.Equal([alicesRun], RunIds(await list.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(new[] { alicesRun, bobsRun }.Order(), RunIds(await bobsList.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task OwnRunsOnlyKeyReadsOnlyTheMetricsOfItsOwnRuns()
    {
        await using var app = await TestApp.StartAsync(ApiKeyRequests.ApiKeys);
        await app.Database.ExampleTemplateAsync();
        var alice = await app.CreateKeyOverHttpAsync("alice", ownRunsOnly: true);
        var bob = await app.CreateKeyOverHttpAsync("bob", ownRunsOnly: false);
        var bobsRun = await LaunchAsync(app, bob, "bob-1");
        var alicesRun = await LaunchAsync(app, alice, "alice-1");
        for (var pass = 0; pass < 5; pass++) await app.MonitorPassAsync();

        using var all = await app.SendAsync(HttpMethod.Get, "/v1/metrics", alice);
        using var byRun = await app.SendAsync(HttpMethod.Get, $"/v1/metrics?run-id={bobsRun}", alice);
        using var bobs = await app.SendAsync(HttpMethod.Get, "/v1/metrics", bob);

        Assert.Equal([alicesRun], MetricsRunIds(await all.Content.ReadAsStringAsync()));
        Assert.Empty(MetricsRunIds(await byRun.Content.ReadAsStringAsync()));
        Assert.Equal(2, MetricsRunIds(await bobs.Content.ReadAsStringAsync()).Count);
    }

    [Fact]
    public async Task CliAndAdminApiCreateOwnRunsOnlyKeysAndListSaysSo()
    {
        await using var app = await TestApp.StartAsync(ApiKeyRequests.ApiKeys);
        using var output = new StringWriter();

        var exit = await ApiKeyCommands.RunAsync(app.Service<ApiKeyRepository>(),
            ["keys", "create", "carol", "--scopes", "launch,read", "--own-runs-only"], output, CancellationToken.None);
        await app.CreateKeyOverHttpAsync("dave", ownRunsOnly: true);
        using var list = await app.SendAsync(HttpMethod.Get, "/v1/admin/api-keys", ApiKeyRequests.BootstrapKey);
        var keys = JsonDocument.Parse(await list.Content.ReadAsStringAsync()).RootElement.EnumerateArray()
            .ToDictionary(k => k.GetProperty("name").GetString()!, k => k.GetProperty("own-runs-only").GetBoolean());

        Assert.Equal(0, exit);
        Assert.Contains("own runs only", output.ToString());
        Assert.Equal(new Dictionary<string, bool> { ["carol"] = true, ["dave"] = true }, keys);
    }

    private static async Task<Guid> LaunchAsync(TestApp app, string key, string userRunId)
    {
        using var response = await app.SendAsync(HttpMethod.Post, "/v1/runs", key, LaunchBodies.Body(userRunId));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<RunResource>(Json.Options))!.RunId;
    }

    private static List<Guid> RunIds(string page) => JsonDocument.Parse(page).RootElement.GetProperty("runs").EnumerateArray()
        .Select(r => r.GetProperty("run-id").GetGuid()).Order().ToList();

    private static List<Guid> MetricsRunIds(string page) => JsonDocument.Parse(page).RootElement.GetProperty("metrics").EnumerateArray()
        .Select(r => r.GetProperty("run-id").GetGuid()).Distinct().ToList();
}
