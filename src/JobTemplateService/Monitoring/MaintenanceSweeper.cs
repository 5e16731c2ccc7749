using Dapper;
using JobTemplateService.Common;
using JobTemplateService.Instances;
using Microsoft.Extensions.Options;
using Npgsql;

namespace JobTemplateService.Monitoring;

/// <summary>
/// Housekeeping on every replica (each statement is safe to run concurrently): forgets launch
/// keys past their retention, sweeps metric snapshots past Metrics:SnapshotRetention in batches,
/// and refreshes the live-instances-by-state and stalled-instances gauges.
/// </summary>
internal sealed class MaintenanceSweeper(NpgsqlDataSource dataSource, ServiceTelemetry telemetry, IOptions<MaintenanceOptions> options,
    IOptions<LiveMetricsOptions> metrics, TimeProvider time, ILogger<MaintenanceSweeper> logger) : PeriodicService(time, logger)
{
    protected override TimeSpan Interval => options.Value.Interval;

    protected override Task PassAsync(CancellationToken ct) => RunOnceAsync(ct);

    internal async Task<int> RunOnceAsync(CancellationToken ct)
    {
        const string sql = $"""
            WITH expired AS (
                SELECT scope, request_key FROM streamsets.launch_request
                 WHERE expires_at < now() ORDER BY expires_at LIMIT 10000 FOR UPDATE SKIP LOCKED
            )
            DELETE FROM streamsets.launch_request r USING expired
             WHERE r.scope = expired.scope AND r.request_key = expired.request_key;
            SELECT state, count(*) AS count FROM streamsets.run_instance
             WHERE state IN {InstanceStates.LiveSql} GROUP BY state;
            SELECT count(*) FROM streamsets.run_instance WHERE state = 'RUNNING' AND stalled_since IS NOT NULL;
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var results = await connection.QueryMultipleAsync(new CommandDefinition(sql, cancellationToken: ct));
        var counts = (await results.ReadAsync<(string State, long Count)>()).ToDictionary(r => r.State, r => r.Count);
        telemetry.LiveInstances(InstanceStates.Live.ToDictionary(state => state, state => counts.GetValueOrDefault(state)));
        telemetry.StalledInstances(await results.ReadSingleAsync<long>());
        await results.ConsumeAsync();
        await SweepSnapshotsAsync(connection, ct);
        return counts.Count;
    }

    /// <summary>Deletes snapshots past their retention, a batch per statement, at most ten batches a pass.</summary>
    internal async Task<long> SweepSnapshotsAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        const string sql = """
            WITH old AS (
                SELECT instance_id, reported_at FROM streamsets.instance_metric_snapshot
                 WHERE reported_at < now() - @retention ORDER BY reported_at LIMIT @batch FOR UPDATE SKIP LOCKED
            )
            DELETE FROM streamsets.instance_metric_snapshot s USING old
             WHERE s.instance_id = old.instance_id AND s.reported_at = old.reported_at
            """;
        var o = metrics.Value;
        long swept = 0;
        for (var batch = 0; batch < 10; batch++)
        {
            var deleted = await connection.ExecuteAsync(new CommandDefinition(sql,
                new { retention = o.SnapshotRetention, batch = o.SweepBatchSize }, cancellationToken: ct));
            swept += deleted;
            if (deleted < o.SweepBatchSize) break;
        }
        if (swept > 0) logger.LogInformation("Swept {Count} metric snapshot(s) older than {Retention}", swept, o.SnapshotRetention);
        return swept;
    }
}

internal sealed class MaintenanceOptions
{
    public const string Section = "Maintenance";

    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);
}
