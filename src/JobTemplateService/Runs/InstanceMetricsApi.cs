using Dapper;
using JobTemplateService.Common;
using JobTemplateService.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace JobTemplateService.Runs;

/// <summary>
/// An instance's metric snapshots, oldest first: one at most every Metrics:SnapshotInterval while it
/// ran, by the platform's clock. A page ends at limit; pass the last at back as after for the next.
/// </summary>
internal static class InstanceMetricsApi
{
    public const int MaxLimit = 10_000;

    public static RouteGroupBuilder MapInstanceMetrics(this RouteGroupBuilder runs)
    {
        runs.MapGet("/{runId:guid}/instances/{instance}/metrics", GetInstanceMetrics).WithName(nameof(GetInstanceMetrics))
            .RequireAuthorization(Scopes.Read)
            .WithSummary("Metric snapshots of an instance (records in, out and in error while it ran), oldest first; {instance} is its index or instance-id.");
        return runs;
    }

    public static async Task<Results<Ok<InstanceMetricSeries>, ProblemHttpResult, ValidationProblem>> GetInstanceMetrics(
        Guid runId, string instance, [FromQuery(Name = "after")] DateTimeOffset? after, [FromQuery(Name = "limit")] int? limit,
        NpgsqlDataSource dataSource, CancellationToken ct)
    {
        if (limit is < 1 or > MaxLimit)
            return Problems.Validation(new Dictionary<string, string[]> { ["limit"] = [$"limit is 1 to {MaxLimit}."] });

        const string sql = """
            SELECT instance_id, state FROM streamsets.run_instance_now
             WHERE run_id = @runId AND (instance_id::text = @instance OR ordinal::text = @instance);
            SELECT s.reported_at AS at, s.input_record_count AS input, s.output_record_count AS output, s.error_record_count AS errors
              FROM streamsets.instance_metric_snapshot s
             WHERE s.instance_id = (SELECT instance_id FROM streamsets.run_instance_now
                                     WHERE run_id = @runId AND (instance_id::text = @instance OR ordinal::text = @instance))
               AND s.reported_at > @after
             ORDER BY s.reported_at LIMIT @fetch;
            """;
        var take = limit ?? 1000;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var results = await connection.QueryMultipleAsync(new CommandDefinition(sql, new
        {
            runId, instance = instance.ToLowerInvariant(), after = (after ?? DateTimeOffset.MinValue).UtcDateTime, fetch = take + 1,
        }, cancellationToken: ct));
        var found = await results.ReadSingleOrDefaultAsync<(Guid InstanceId, string State)?>();
        if (found is null) return Problems.NotFound("instance", $"{runId}/{instance}");
        var snapshots = (await results.ReadAsync<MetricSnapshot>()).AsList();
        string? next = null;
        if (snapshots.Count > take)
        {
            snapshots.RemoveAt(snapshots.Count - 1);
            next = $"/v1/runs/{runId}/instances/{instance}/metrics?limit={take}&after={Uri.EscapeDataString(snapshots[^1].At.ToString("O"))}";
        }
        return TypedResults.Ok(new InstanceMetricSeries(runId, found.Value.InstanceId, found.Value.State, snapshots, next));
    }
}

/// <summary>An instance's snapshots (at, input, output, errors), oldest first; next is the link to the rest when there is more.</summary>
public sealed record InstanceMetricSeries(Guid RunId, Guid InstanceId, string State, IReadOnlyList<MetricSnapshot> Snapshots, string? Next);
