using Dapper;
using JobTemplateService.Common;
using Npgsql;

namespace JobTemplateService.Instances;

/// <summary>
/// Claiming and releasing instances, and the replica heartbeat. Time is always the database's
/// (now()), so replicas with skewed clocks still agree on who holds what.
/// </summary>
internal sealed class LeaseRepository(NpgsqlDataSource dataSource)
{
    /// <summary>What a claimed instance carries (aliases i: run_instance, r: its run, t: its template).</summary>
    private const string ClaimedColumns = """
        i.instance_id, i.run_id, i.lease_generation, i.state, i.platform, i.platform_job_id, i.name, i.ordinal,
        i.parameters::text AS parameters, i.caller_secret_keys, i.launch_attempts, i.launch_sent_at, i.reconcile_missed_at,
        i.stop_reason, i.stop_requested_at, i.force_stopped_at, i.cleanup_pending,
        coalesce(i.deadline_at <= now(), false) AS deadline_passed, now() - i.next_check_at AS lag, now() AS now,
        i.live_input_records, i.live_output_records, i.live_error_records,
        r.user_run_id, r.job_template_id, r.platform_template_id, r.pattern_name, t.delete_after_completion,
        coalesce(t.max_wait, CASE WHEN t.kind = 'batch' THEN interval '4 hours' END) AS max_wait, t.kind,
        t.min_input_records, t.min_output_records, t.max_error_records, t.max_error_ratio, t.stall_after
        """;

    /// <summary>
    /// Claims due instances whose lease is free or expired, in one statement. SKIP LOCKED lets
    /// replicas claim side by side without waiting for each other; the generation bump fences out
    /// any earlier holder. With <paramref name="dueBy"/>, only instances due by then (database time).
    /// </summary>
    public Task<IReadOnlyList<ClaimedInstance>> ClaimAsync(Guid owner, int limit, TimeSpan lease, CancellationToken ct,
        DateTime? dueBy = null) =>
        ClaimAsync(ClaimDueSql, owner, limit, lease, dueBy, ct);

    /// <summary>Claims due instances that are being stopped (cancel, max wait, stall), through their own small index.</summary>
    public Task<IReadOnlyList<ClaimedInstance>> ClaimStoppingAsync(Guid owner, int limit, TimeSpan lease, CancellationToken ct) =>
        ClaimAsync(ClaimStoppingSql, owner, limit, lease, null, ct);

    /// <summary>An instance as this replica holds it (a local process's), read without claiming it; null when not held.</summary>
    public async Task<ClaimedInstance?> HeldAsync(Guid owner, Guid instanceId, CancellationToken ct)
    {
        // Through run_instance_now: a local process can end before its launch has written its instance.
        const string sql = $"""
            SELECT {ClaimedColumns}
              FROM streamsets.run_instance_now i
              JOIN streamsets.run r ON r.run_id = i.run_id
              JOIN streamsets.job_template t ON t.job_template_id = r.job_template_id
             WHERE i.instance_id = @instanceId AND i.lease_owner = @owner
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<ClaimedInstance>(new CommandDefinition(sql, new { owner, instanceId }, cancellationToken: ct));
    }

    private static readonly string ClaimDueSql = Claim($"(state IN {InstanceStates.ActiveSql} OR cleanup_pending)");

    // Matches the predicate of run_instance_stopping_idx, so that index serves it.
    private static readonly string ClaimStoppingSql = Claim($"stop_reason IS NOT NULL AND state IN {InstanceStates.ActiveSql}");

    private static string Claim(string which) => $"""
        WITH due AS MATERIALIZED (
            SELECT instance_id
              FROM streamsets.run_instance
             WHERE {which}
               AND next_check_at <= least(now(), @dueBy)
               AND (lease_expires_at IS NULL OR lease_expires_at < now())
             ORDER BY next_check_at
             LIMIT @limit
               FOR UPDATE SKIP LOCKED
        )
        UPDATE streamsets.run_instance i
           SET lease_owner = @owner, lease_expires_at = now() + @lease, lease_generation = i.lease_generation + 1
          FROM due, streamsets.run r, streamsets.job_template t
         WHERE i.instance_id = due.instance_id AND r.run_id = i.run_id AND t.job_template_id = r.job_template_id
        RETURNING {ClaimedColumns}
        """;

    private async Task<IReadOnlyList<ClaimedInstance>> ClaimAsync(string sql, Guid owner, int limit, TimeSpan lease, DateTime? dueBy,
        CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<ClaimedInstance>(new CommandDefinition(sql, new { owner, limit, lease, dueBy }, cancellationToken: ct));
        return rows.AsList();
    }

    /// <summary>
    /// Hands instances back, each due again after its delay (counted from <paramref name="from"/>,
    /// database time, or from now); names learned on the way are kept.
    /// </summary>
    public async Task<int> ReleaseAsync(Guid owner, IReadOnlyList<Release> releases, CancellationToken ct, DateTime? from = null)
    {
        if (releases.Count == 0) return 0;
        const string sql = """
            UPDATE streamsets.run_instance i
               SET lease_owner = NULL, lease_expires_at = NULL, next_check_at = coalesce(@from, now()) + u.delay,
                   name = coalesce(u.name, i.name)
              FROM unnest(@Ids, @Generations, @Delays, @Names) AS u(instance_id, generation, delay, name)
             WHERE i.instance_id = u.instance_id AND i.lease_owner = @owner AND i.lease_generation = u.generation
            """;
        var sorted = releases.OrderBy(r => r.Lease.InstanceId).ToList();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            owner,
            from,
            Ids = sorted.Select(r => r.Lease.InstanceId).ToArray(),
            Generations = sorted.Select(r => r.Lease.Generation).ToArray(),
            Delays = sorted.Select(r => r.Delay).ToArray(),
            Names = sorted.Select(r => r.Name).ToArray(),
        }, cancellationToken: ct));
    }

    /// <summary>
    /// One round trip per heartbeat: record this replica as alive, extend the leases it is working
    /// on, and free the leases of replicas that stopped beating, so peers take their work at once.
    /// </summary>
    public async Task<HeartbeatResult> HeartbeatAsync(ReplicaIdentity replica, Guid[] active, TimeSpan lease, TimeSpan replicaTimeout,
        CancellationToken ct)
    {
        const string sql = $"""
            INSERT INTO streamsets.service_replica (replica_id, host_name, process_id)
            VALUES (@Id, @HostName, @ProcessId)
            ON CONFLICT (replica_id) DO UPDATE SET heartbeat_at = now();
            -- Runs before instances, as every writer locks them; a row locked by a writer now is renewed next beat.
            WITH starts AS (
                SELECT run_id FROM streamsets.run
                 WHERE run_id = ANY(@active) AND start_owner = @Id AND start_intent IS NOT NULL
                   FOR UPDATE SKIP LOCKED
            )
            UPDATE streamsets.run r SET start_lease_expires_at = now() + @lease
              FROM starts WHERE r.run_id = starts.run_id;
            WITH mine AS (
                SELECT instance_id FROM streamsets.run_instance
                 WHERE lease_owner = @Id AND instance_id = ANY(@active)
                   FOR UPDATE SKIP LOCKED
            )
            UPDATE streamsets.run_instance i SET lease_expires_at = now() + @lease
              FROM mine WHERE i.instance_id = mine.instance_id;
            WITH dead AS (
                DELETE FROM streamsets.service_replica
                 WHERE heartbeat_at < now() - @replicaTimeout AND replica_id <> @Id
                RETURNING replica_id
            ), freed AS (
                UPDATE streamsets.run_instance i SET lease_owner = NULL, lease_expires_at = NULL
                  FROM dead WHERE i.lease_owner = dead.replica_id AND (i.state IN {InstanceStates.ActiveSql} OR i.cleanup_pending)
                RETURNING 1
            ), freed_starts AS (
                -- A start being written now (its run row locked) is left to expire: a monitor takes it over then.
                UPDATE streamsets.run r SET start_owner = NULL, start_lease_expires_at = NULL
                  FROM (SELECT r2.run_id FROM streamsets.run r2 JOIN dead ON r2.start_owner = dead.replica_id
                         WHERE r2.start_intent IS NOT NULL FOR UPDATE OF r2 SKIP LOCKED) AS starts
                 WHERE r.run_id = starts.run_id
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM dead) AS dead_replicas,
                   (SELECT count(*) FROM freed) + (SELECT count(*) FROM freed_starts) AS freed_leases;
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.QuerySingleAsync<HeartbeatResult>(new CommandDefinition(sql,
            new { replica.Id, replica.HostName, replica.ProcessId, active, lease, replicaTimeout }, cancellationToken: ct));
    }

    /// <summary>On a clean stop: give every lease back and leave, so peers continue at once.</summary>
    public async Task<int> ReleaseAllAsync(Guid owner, CancellationToken ct)
    {
        const string sql = $"""
            DELETE FROM streamsets.service_replica WHERE replica_id = @owner;
            WITH released AS (
                UPDATE streamsets.run_instance SET lease_owner = NULL, lease_expires_at = NULL
                 WHERE lease_owner = @owner AND (state IN {InstanceStates.ActiveSql} OR cleanup_pending)
                RETURNING 1
            ), released_starts AS (
                UPDATE streamsets.run SET start_owner = NULL, start_lease_expires_at = NULL
                 WHERE start_owner = @owner AND start_intent IS NOT NULL
                RETURNING 1
            )
            SELECT ((SELECT count(*) FROM released) + (SELECT count(*) FROM released_starts))::int;
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(sql, new { owner }, cancellationToken: ct));
    }
}

internal sealed record Release(InstanceLease Lease, TimeSpan Delay, string? Name = null);

internal sealed record HeartbeatResult
{
    public long DeadReplicas { get; init; }
    public long FreedLeases { get; init; }
}
