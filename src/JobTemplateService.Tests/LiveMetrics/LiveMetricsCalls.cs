using System.Net.Http.Json;

namespace JobTemplateService.Tests;

/// <summary>Live metrics as a caller reads them, and template options set the way an operator does (SQL on job_template).</summary>
public static class LiveMetricsCalls
{
    public static async Task<InstanceMetricSeries> SnapshotsAsync(this TestApp app, Guid runId, string instance = "0", string query = "") =>
        (await app.Client.GetFromJsonAsync<InstanceMetricSeries>($"/v1/runs/{runId}/instances/{instance}/metrics{query}", Json.Options))!;

    /// <summary>Sets template options (SQL assignments) on every template of the test database.</summary>
    public static Task TemplateOptionsAsync(this TestDatabase database, string assignments) =>
        database.ExecuteAsync($"UPDATE streamsets.job_template SET {assignments}");

    /// <summary>As if the instance's counts had last moved this long ago.</summary>
    public static Task CountsLastMovedAsync(this TestDatabase database, Guid instanceId, TimeSpan ago) =>
        database.ExecuteAsync($"UPDATE streamsets.run_instance SET progress_at = now() - interval '{(long)ago.TotalSeconds} seconds' " +
                              $"WHERE instance_id = '{instanceId}'");
}
