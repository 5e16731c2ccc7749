using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;
using Npgsql;

namespace JobTemplateService.Tests;

/// <summary>Launching runs and reading what the service wrote, for monitor and platform tests.</summary>
public static class RunHelpers
{
    public const string TemplateId = "3b8f0c1e-7d2a-4f5b-9c6d-1e2f3a4b5c6d:" + ControlHubSimulator.OrgId;
    public const string UserRunId = "nightly-42";

    static RunHelpers() => DefaultTypeMap.MatchNamesWithUnderscores = true;

    /// <summary>POST /v1/runs with one instance per city; fails unless the service answers 202.</summary>
    public static async Task<RunResource> LaunchAsync(this HttpClient client, string source, string target, params string[] cities)
    {
        var body = new JsonObject
        {
            ["user-id"] = "ada@example.com", ["user-run-id"] = UserRunId, ["source-type"] = source, ["target-type"] = target,
            ["runtime-parameters"] = new JsonArray(cities.Select(c => (JsonNode)new JsonObject { ["CITY"] = c }).ToArray()),
        };
        using var response = await client.PostAsJsonAsync("/v1/runs", body);
        if (response.StatusCode != HttpStatusCode.Accepted)
            throw new InvalidOperationException($"Launch answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<RunResource>(Json.Options))!;
    }

    public static async Task<RunResource> GetRunAsync(this HttpClient client, Guid runId) =>
        (await client.GetFromJsonAsync<RunResource>($"/v1/runs/{runId}", Json.Options))!;

    public static async Task<IReadOnlyList<MetricsRow>> MetricsRowsAsync(this TestDatabase database, Guid runId)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        var rows = await connection.QueryAsync<MetricsRow>(
            "SELECT * FROM streamsets.job_run_metrics WHERE run_id = @runId ORDER BY metrics_id", new { runId });
        return rows.AsList();
    }

    public static async Task<T> QuerySingleAsync<T>(this TestDatabase database, string sql, object? parameters = null)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        return await connection.QuerySingleAsync<T>(sql, parameters);
    }

    public static async Task<IReadOnlyList<T>> QueryAsync<T>(this TestDatabase database, string sql, object? parameters = null)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        return (await connection.QueryAsync<T>(sql, parameters)).AsList();
    }

    public static async Task<int> ExecuteAsync(this TestDatabase database, string sql, object parameters)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        return await connection.ExecuteAsync(sql, parameters);
    }
}
