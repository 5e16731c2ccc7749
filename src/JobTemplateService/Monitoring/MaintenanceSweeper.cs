using Dapper;
using JobTemplateService.Common;
using JobTemplateService.Instances;
using Microsoft.Extensions.Options;
using Npgsql;

namespace JobTemplateService.Monitoring;

/// <summary>
/// Housekeeping on every replica (each statement is safe to run concurrently): forgets launch
/// keys past their retention, and refreshes the live-instances-by-state gauge.
/// </summary>
internal sealed class MaintenanceSweeper(NpgsqlDataSource dataSource, ServiceTelemetry telemetry, IOptions<MaintenanceOptions> options,
    TimeProvider time, ILogger<MaintenanceSweeper> logger) : PeriodicService(time, logger)
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
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var results = await connection.QueryMultipleAsync(new CommandDefinition(sql, cancellationToken: ct));
        var counts = (await results.ReadAsync<(string State, long Count)>()).ToDictionary(r => r.State, r => r.Count);
        telemetry.LiveInstances(InstanceStates.Live.ToDictionary(state => state, state => counts.GetValueOrDefault(state)));
        return counts.Count;
    }
}

internal sealed class MaintenanceOptions
{
    public const string Section = "Maintenance";

    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);
}
