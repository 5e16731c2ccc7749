using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace JobTemplateService.Tests;

/// <summary>Launching, cancelling and waiting on runs the way a caller does, plus the monitor passes in between.</summary>
public static class RunCalls
{
    /// <summary>Launches through POST /v1/runs and returns the run, after checking the answer was 202.</summary>
    public static async Task<RunResource> LaunchAsync(this TestApp app, JsonObject body)
    {
        using var response = await app.PostJsonAsync("/v1/runs", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"Launch answered {(int)response.StatusCode}: {text}");
        return JsonSerializer.Deserialize<RunResource>(text, Json.Options)!;
    }

    public static Task<HttpResponseMessage> CancelAsync(this TestApp app, Guid runId) =>
        app.Client.PostAsync($"/v1/runs/{runId}/cancel", null);

    public static Task<HttpResponseMessage> OutcomeAsync(this TestApp app, Guid runId, int? wait = null) =>
        app.Client.GetAsync($"/v1/runs/{runId}/outcome" + (wait is null ? "" : $"?wait={wait}"));

    /// <summary>Runs monitor passes until the run satisfies the condition (or gives up), then returns it.</summary>
    public static async Task<RunResource> PassUntilAsync(this TestApp app, Guid runId, Func<RunResource, bool> done, int maxPasses = 20)
    {
        for (var pass = 0; pass < maxPasses; pass++)
        {
            var run = await app.GetRunAsync(runId);
            if (done(run)) return run;
            await app.MonitorPassAsync();
        }
        return await app.GetRunAsync(runId);
    }

    /// <summary>Live instances (PENDING, STARTING, RUNNING) in the whole database, counted in the table.</summary>
    public static Task<long> LiveInstancesAsync(this TestDatabase database) =>
        database.ScalarAsync<long>("SELECT count(*) FROM streamsets.run_instance WHERE state IN ('PENDING', 'STARTING', 'RUNNING')");
}
