using Dapper;
using JobTemplateService.Platform;
using Npgsql;

namespace JobTemplateService.Instances;

/// <summary>
/// Records what running instances report as they go, in one statement per batch, fenced on the
/// lease like every instance write: the latest counts (run resource's live-metrics), a snapshot
/// when the last one is at least the snapshot interval older by the platform's clock (the
/// primary key on instance and that time makes a report written twice a no-op), and stalls: an
/// instance whose template has stall_after and whose counts have not moved for that long is
/// marked (and queued an instance.stalled callback, and with stall_action 'fail' marked to be
/// stopped), in the same transaction; counts that move again clear the mark.
/// </summary>
internal sealed class LiveMetricsRepository(NpgsqlDataSource dataSource)
{
    public async Task<IReadOnlyList<LiveOutcome>> RecordAsync(Guid owner, IReadOnlyList<LiveReport> reports, TimeSpan snapshotInterval,
        CancellationToken ct)
    {
        if (reports.Count == 0) return [];
        const string sql = """
            WITH u AS (
                SELECT * FROM unnest(@Ids, @Generations, @Inputs, @Outputs, @Errors, @Ats)
                       AS u(instance_id, generation, input, output, errors, reported_at)
            ), old AS MATERIALIZED (
                SELECT i.instance_id, i.run_id, u.input, u.output, u.errors, u.reported_at, r.pattern_name,
                       i.live_input_records AS old_input, i.live_output_records AS old_output, i.live_error_records AS old_errors,
                       i.stalled_since, t.stall_after, t.stall_action,
                       u.reported_at IS NOT NULL AND (u.input, u.output, u.errors)
                           IS DISTINCT FROM (i.live_input_records, i.live_output_records, i.live_error_records) AS moved,
                       u.reported_at IS NOT NULL AND (i.snapshot_at IS NULL OR u.reported_at >= i.snapshot_at + @interval) AS snapshot,
                       coalesce(i.progress_at, i.started_at, i.created_at) AS progress_at
                  FROM u
                  JOIN streamsets.run_instance i ON i.instance_id = u.instance_id
                  JOIN streamsets.run r ON r.run_id = i.run_id
                  JOIN streamsets.job_template t ON t.job_template_id = i.job_template_id
                 WHERE i.lease_owner = @owner AND i.lease_generation = u.generation AND i.state = 'RUNNING'
                   FOR UPDATE OF i
            ), judged AS (
                SELECT o.*, NOT o.moved AND o.stalled_since IS NULL AND o.stall_after IS NOT NULL
                            AND now() - o.progress_at >= o.stall_after AS stalls
                  FROM old o
            ), written AS (
                UPDATE streamsets.run_instance i
                   SET live_input_records = CASE WHEN j.reported_at IS NULL THEN i.live_input_records ELSE j.input END,
                       live_output_records = CASE WHEN j.reported_at IS NULL THEN i.live_output_records ELSE j.output END,
                       live_error_records = CASE WHEN j.reported_at IS NULL THEN i.live_error_records ELSE j.errors END,
                       live_reported_at = coalesce(j.reported_at, i.live_reported_at),
                       progress_at = CASE WHEN j.moved THEN now() ELSE j.progress_at END,
                       snapshot_at = CASE WHEN j.snapshot THEN j.reported_at ELSE i.snapshot_at END,
                       stalled_since = CASE WHEN j.moved THEN NULL WHEN j.stalls THEN now() ELSE i.stalled_since END,
                       stop_reason = CASE WHEN j.stalls AND j.stall_action = 'fail' THEN coalesce(i.stop_reason, 'STALL')
                                          ELSE i.stop_reason END,
                       updated_at = now()
                  FROM judged j
                 WHERE i.instance_id = j.instance_id
                RETURNING i.instance_id, j.pattern_name, j.stalls AS stalled, j.stall_action, j.stall_after, j.snapshot,
                          CASE WHEN j.reported_at IS NULL THEN 0 ELSE greatest(j.input - coalesce(j.old_input, 0), 0) END AS input_added,
                          CASE WHEN j.reported_at IS NULL THEN 0 ELSE greatest(j.output - coalesce(j.old_output, 0), 0) END AS output_added,
                          CASE WHEN j.reported_at IS NULL THEN 0 ELSE greatest(j.errors - coalesce(j.old_errors, 0), 0) END AS errors_added
            ), snapshots AS (
                INSERT INTO streamsets.instance_metric_snapshot
                       (instance_id, reported_at, input_record_count, output_record_count, error_record_count)
                SELECT instance_id, reported_at, input, output, errors FROM judged WHERE snapshot
                ON CONFLICT DO NOTHING
            ), events AS (
                INSERT INTO streamsets.instance_event_delivery (delivery_id, run_id, instance_id, event, occurred_at)
                SELECT gen_random_uuid(), j.run_id, j.instance_id, 'instance.stalled', now()
                  FROM judged j JOIN streamsets.run r ON r.run_id = j.run_id
                 WHERE j.stalls AND r.callback_url IS NOT NULL
            )
            SELECT * FROM written
            """;
        var sorted = reports.OrderBy(r => r.Lease.InstanceId).ToList();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<LiveOutcome>(new CommandDefinition(sql, new
        {
            owner,
            interval = snapshotInterval,
            Ids = sorted.Select(r => r.Lease.InstanceId).ToArray(),
            Generations = sorted.Select(r => r.Lease.Generation).ToArray(),
            Inputs = sorted.Select(r => r.Counts?.Input).ToArray(),
            Outputs = sorted.Select(r => r.Counts?.Output).ToArray(),
            Errors = sorted.Select(r => r.Counts?.Errors).ToArray(),
            Ats = sorted.Select(r => r.Counts is { } c ? DateTime.SpecifyKind(c.At, DateTimeKind.Utc) : (DateTime?)null).ToArray(),
        }, cancellationToken: ct));
        return rows.AsList();
    }
}

/// <summary>What a running instance reported: its counts so far, or null when it reported none this time.</summary>
internal sealed record LiveReport(InstanceLease Lease, LiveCounts? Counts);

/// <summary>What recording a report did: records added since the last report, and whether the instance became stalled.</summary>
internal sealed record LiveOutcome
{
    public Guid InstanceId { get; init; }
    public string PatternName { get; init; } = "";
    public bool Stalled { get; init; }
    public string StallAction { get; init; } = "";
    public TimeSpan? StallAfter { get; init; }
    public bool Snapshot { get; init; }
    public long InputAdded { get; init; }
    public long OutputAdded { get; init; }
    public long ErrorsAdded { get; init; }
}
