using System.Collections.Concurrent;
using System.Text.Json;
using Dapper;
using JobTemplateService.Common;
using JobTemplateService.Platform;
using Npgsql;

namespace JobTemplateService.Instances;

/// <summary>
/// Fenced instance writes. Each one names the lease it holds (owner + generation) and the state it
/// expects; a write whose lease was taken over changes nothing. Writers that touch a run's state
/// lock the run row first, so that concurrent writers of one run never deadlock.
/// </summary>
internal sealed class InstanceRepository(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// A launch's queued instances (over its template's limit), as a CTE of its one intent
    /// statement, after the CTE new_run(run_id, created_at) that inserts their run: so the
    /// idempotency key, the run, its start intent (the instances it starts itself, see
    /// <see cref="StartIntent"/>) and its queued instances commit together or not at all.
    /// </summary>
    public const string InsertQueuedSql = $"""
        new_instances AS (
            INSERT INTO streamsets.run_instance (instance_id, run_id, ordinal, job_template_id, platform, state,
                                                 parameters, caller_secret_keys, deadline_at, next_check_at)
            SELECT u.instance_id, new_run.run_id, u.ordinal, @JobTemplateId, @Platform, '{InstanceStates.Queued}', u.parameters::jsonb,
                   {SecretKeysSql}, now() + @MaxWait, now() + @Lease
              FROM new_run
             CROSS JOIN unnest(@InstanceIds, @Ordinals, @Parameters, @SecretKeys) AS u(instance_id, ordinal, parameters, secret_keys)
            RETURNING 1
        )
        """;

    /// <summary>
    /// Writes a launch's start intent as instances, in the state the platform's answer gives them,
    /// if the launch still holds it (a monitor takes over an intent whose lease expired). Those
    /// that run are recorded with their jobs; a canceled run's are marked for the monitor to stop (as a
    /// cancel marks them), or end CANCELED if they were never sent. The caller's own write commits with it.
    /// </summary>
    public async Task<int> WriteStartIntentAsync(Guid runId, Guid owner, IntentOutcome outcome, JoinedWrite? alongside, CancellationToken ct)
    {
        InstanceStates.EnsureMove(InstanceStates.Starting, outcome.State);
        var running = outcome.State == InstanceStates.Running;
        // A RUNNING instance makes its run RUNNING (as refresh_run_state would): written directly, without a count.
        var recorded = outcome.Written;
        var sql = OwnIntentSql.GetOrAdd((running, recorded is not null, alongside?.Sql), static key =>
            WriteIntentSql("r.run_id = @RunId AND r.start_owner = @Owner", skipLocked: false,
                key.Running ? $", state = '{RunStates.Running}', finished_at = NULL" : "", fromLaunch: key.FromLaunch) +
            (key.Running ? "" : "\nSELECT streamsets.refresh_run_state(@RunId);") + "\n" + key.Alongside);
        var parameters = new DynamicParameters(new
        {
            RunId = runId, Owner = owner, outcome.State, outcome.Error, outcome.StartedAt, outcome.NextCheck, outcome.KeepLease,
        });
        if (recorded is not null)
        {
            // The instances as the launch recorded them, each with its job (when started): nothing read back.
            var jobs = outcome.Jobs.ToDictionary(j => j.InstanceId);
            parameters.AddDynamicParams(new
            {
                recorded.MaxWaitSeconds,
                InstanceIds = recorded.Instances.Select(i => i.InstanceId).ToArray(),
                Ordinals = recorded.Instances.Select(i => i.Ordinal).ToArray(),
                Parameters = recorded.Instances.Select(i => ParametersText(i.Parameters)).ToArray(),
                SecretKeys = recorded.Instances.Select(i => SecretKeysText(i.CallerSecretKeys)).ToArray(),
                InstanceJobIds = recorded.Instances.Select(i => jobs.GetValueOrDefault(i.InstanceId)?.JobId).ToArray(),
                InstanceNames = recorded.Instances.Select(i => jobs.GetValueOrDefault(i.InstanceId)?.Name).ToArray(),
            });
        }
        else
        {
            parameters.AddDynamicParams(new
            {
                Ids = outcome.Jobs.Select(j => j.InstanceId).ToArray(), Generations = outcome.Jobs.Select(_ => 1L).ToArray(),
                JobIds = outcome.Jobs.Select(j => j.JobId).ToArray(), Names = outcome.Jobs.Select(j => j.Name).ToArray(),
            });
        }
        if (alongside is not null) parameters.AddDynamicParams(alongside.Parameters);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var results = await connection.QueryMultipleAsync(new CommandDefinition(sql, parameters, cancellationToken: ct));
        var count = await results.ReadSingleAsync<int>();
        await results.ConsumeAsync();
        return count;
    }

    /// <summary>The statements <see cref="WriteStartIntentAsync"/> sends, built once each (the joined writes are constants).</summary>
    private static readonly ConcurrentDictionary<(bool Running, bool FromLaunch, string? Alongside), string> OwnIntentSql = new();

    /// <summary>
    /// Takes over start intents whose lease expired (their replica died, or lost the database, while
    /// the platform was being called): their instances are written STARTING, unleased and due, for
    /// the monitor to reconcile with the platform by the run's tag like any unclear start.
    /// </summary>
    public async Task<int> WriteExpiredIntentsAsync(int limit, CancellationToken ct)
    {
        var sql = WriteIntentSql("""
            r.start_intent IS NOT NULL AND (r.start_lease_expires_at IS NULL OR r.start_lease_expires_at < now())
             ORDER BY r.start_lease_expires_at NULLS FIRST
             LIMIT @Limit
            """, skipLocked: true, "");
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(sql, new
        {
            Limit = limit, Owner = (Guid?)null, State = InstanceStates.Starting, Error = (string?)null, StartedAt = (DateTime?)null,
            NextCheck = TimeSpan.Zero, KeepLease = false, Ids = Array.Empty<Guid>(), Generations = Array.Empty<long>(),
            JobIds = Array.Empty<string>(), Names = Array.Empty<string>(),
        }, cancellationToken: ct));
    }

    /// <summary>An instance's masked parameters as its statements pass them (text, cast to jsonb).</summary>
    public static string ParametersText(IReadOnlyDictionary<string, string> parameters) => JsonSerializer.Serialize(parameters);

    /// <summary>An instance's caller secret keys as its statements pass them: a JSON array, "[]" when none.</summary>
    public static string SecretKeysText(string[] keys) => keys.Length == 0 ? NoKeys : JsonSerializer.Serialize(keys);

    private const string NoKeys = "[]";

    /// <summary>caller_secret_keys from a source column secret_keys of <see cref="SecretKeysText"/>: no subquery for the usual case, none.</summary>
    private const string SecretKeysSql =
        $"CASE WHEN secret_keys = '{NoKeys}' THEN ARRAY[]::varchar[] ELSE ARRAY(SELECT jsonb_array_elements_text(secret_keys::jsonb)) END";

    /// <summary>
    /// The one statement that turns start intents (the runs <paramref name="which"/> selects, locked
    /// first) into instances: every instance of an intent written at once, in @State, with the jobs
    /// of @Ids/@JobIds/@Names, and the intent cleared. Instances are leased to the launch
    /// (generation 1, first attempt counted when sent) as they were while it held the intent.
    /// fromLaunch: the launch that recorded the intent passes its instances (@InstanceIds … @InstanceNames,
    /// the same values as the stored document), and the statement does not read the document back.
    /// </summary>
    private static string WriteIntentSql(string which, bool skipLocked, string runState, bool fromLaunch = false) => $"""
        WITH intent AS MATERIALIZED (
            SELECT r.run_id, r.job_template_id, r.platform, r.created_at, {(fromLaunch ? "" : "r.start_intent, ")}r.start_lease_expires_at, r.cancel_requested_at
              FROM streamsets.run r
             WHERE r.start_intent IS NOT NULL AND {which}
               FOR UPDATE{(skipLocked ? " SKIP LOCKED" : "")}
        ), cleared AS (
            UPDATE streamsets.run r
               SET start_intent = NULL, start_owner = NULL, start_lease_expires_at = NULL, updated_at = now(){runState}
              FROM intent WHERE r.run_id = intent.run_id
        ), written AS (
            INSERT INTO streamsets.run_instance (instance_id, run_id, ordinal, job_template_id, platform, state, parameters,
                                                 caller_secret_keys, platform_job_id, name, error, started_at, finished_at,
                                                 deadline_at, next_check_at, lease_owner, lease_expires_at, lease_generation,
                                                 launch_attempts, launch_sent_at, stop_reason, created_at)
            SELECT e.instance_id, intent.run_id, e.ordinal, intent.job_template_id, intent.platform, s.state,
                   {(fromLaunch ? $"""
                   e.parameters::jsonb, {SecretKeysSql}, e.job_id, e.name,
                   """ : "e.parameters, e.caller_secret_keys, u.job_id, u.name,")}
                   CASE WHEN s.state = '{InstanceStates.Canceled}' THEN 'Canceled before it started.' ELSE @Error::varchar END,
                   CASE WHEN s.state = '{InstanceStates.Running}' THEN @StartedAt::timestamptz END,
                   CASE WHEN s.state IN {InstanceStates.TerminalSql} THEN now() END,
                   intent.created_at + make_interval(secs => {(fromLaunch ? "@MaxWaitSeconds::double precision"
                                                                          : "(intent.start_intent ->> 'max_wait_seconds')::double precision")}),
                   CASE WHEN s.stop THEN now() ELSE now() + @NextCheck END,
                   CASE WHEN @KeepLease THEN @Owner::uuid END, CASE WHEN @KeepLease THEN intent.start_lease_expires_at END, 1,
                   CASE WHEN s.state IN {InstanceStates.UnsentSql} OR s.never_sent THEN 0 ELSE 1 END, intent.created_at,
                   CASE WHEN s.stop THEN 'CANCEL' END, intent.created_at
              FROM intent
             CROSS JOIN {(fromLaunch
                 ? "unnest(@InstanceIds, @Ordinals, @Parameters, @SecretKeys, @InstanceJobIds, @InstanceNames) AS e(instance_id, ordinal, parameters, secret_keys, job_id, name)"
                 : "jsonb_to_recordset(intent.start_intent -> 'instances') AS e(instance_id uuid, ordinal int, parameters jsonb, caller_secret_keys varchar[])")}
             CROSS JOIN LATERAL (
                   SELECT CASE WHEN @State = '{InstanceStates.Pending}' AND intent.cancel_requested_at IS NOT NULL
                               THEN '{InstanceStates.Canceled}' ELSE @State END AS state,
                          @State = '{InstanceStates.Pending}' AS never_sent,
                          @State IN {InstanceStates.SentSql} AND intent.cancel_requested_at IS NOT NULL AS stop) s
              {(fromLaunch ? "" : "LEFT JOIN streamsets.started_jobs(@Ids, @Generations, @JobIds, @Names) AS u ON u.instance_id = e.instance_id")}
            RETURNING 1
        )
        SELECT count(*)::int FROM written;
        """;

    public async Task<HashSet<Guid>> MarkStartingAsync(Guid owner, IReadOnlyList<InstanceLease> leases, string fromState, CancellationToken ct)
    {
        InstanceStates.EnsureMove(fromState, InstanceStates.Starting);
        const string sql = """
            UPDATE streamsets.run_instance i
               SET state = 'STARTING', launch_attempts = i.launch_attempts + 1, launch_sent_at = now(),
                   reconcile_missed_at = NULL, updated_at = now()
              FROM unnest(@Ids, @Generations) AS u(instance_id, generation)
             WHERE i.instance_id = u.instance_id AND i.lease_generation = u.generation
               AND i.lease_owner = @owner AND i.state = @fromState
            RETURNING i.instance_id
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var ids = await connection.QueryAsync<Guid>(new CommandDefinition(sql,
            new { owner, fromState, Ids = leases.Ids(), Generations = leases.Generations() }, cancellationToken: ct));
        return ids.ToHashSet();
    }

    /// <summary>
    /// The instances run. A platform whose jobs live in this process keeps the lease (keepLease).
    /// The caller's own write, when given, commits with it (as do those of the two methods below).
    /// A RUNNING instance is live, so refresh_run_state would make its run RUNNING whatever its
    /// other instances are: the statement writes that directly, without the function's count of
    /// the run's instances (the launch's hottest write; RunStateTests holds the two to agreement).
    /// Its rows come through streamsets.started_jobs and its expected state is a parameter, so that
    /// PostgreSQL plans it once, as primary-key lookups, for launches of every size (migration 0008).
    /// </summary>
    public async Task<int> RecordStartedAsync(Guid runId, Guid owner, IReadOnlyList<InstanceLease> leases, IReadOnlyList<StartedJob> jobs,
        DateTime startedAt, TimeSpan nextCheck, JoinedWrite? alongside, CancellationToken ct, bool keepLease = false)
    {
        var sql = $"""
            SELECT 1 FROM streamsets.run WHERE run_id = @RunId FOR UPDATE;
            WITH started AS (
                UPDATE streamsets.run_instance i
                   SET state = '{InstanceStates.Running}', platform_job_id = u.job_id, name = coalesce(u.name, i.name),
                       started_at = coalesce(i.started_at, @StartedAt), error = NULL,
                       lease_owner = CASE WHEN @KeepLease THEN i.lease_owner END,
                       lease_expires_at = CASE WHEN @KeepLease THEN i.lease_expires_at END,
                       next_check_at = now() + @NextCheck, updated_at = now()
                  FROM streamsets.started_jobs(@Ids, @Generations, @JobIds, @Names) AS u
                 WHERE i.instance_id = u.instance_id AND i.lease_generation = u.generation
                   AND i.lease_owner = @Owner AND i.state = @Expected
                RETURNING 1
            ), run_state AS (
                UPDATE streamsets.run SET state = '{RunStates.Running}', finished_at = NULL, updated_at = now()
                 WHERE run_id = @RunId AND state <> '{RunStates.Running}' AND EXISTS (SELECT 1 FROM started)
            )
            SELECT count(*)::int FROM started;
            {alongside?.Sql}
            """;
        var parameters = new DynamicParameters(new
        {
            RunId = runId, Owner = owner, StartedAt = startedAt, NextCheck = nextCheck, KeepLease = keepLease, Expected = InstanceStates.Starting,
            Ids = leases.Ids(), Generations = leases.Generations(),
            JobIds = jobs.Select(j => j.JobId).ToArray(), Names = jobs.Select(j => j.Name).ToArray(),
        });
        if (alongside is not null) parameters.AddDynamicParams(alongside.Parameters);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var results = await connection.QueryMultipleAsync(new CommandDefinition(sql, parameters, cancellationToken: ct));
        await results.ReadAsync<int>();
        var changed = await results.ReadSingleAsync<int>();
        await results.ConsumeAsync();
        return changed;
    }

    /// <summary>Ends instances that never ran: START_FAILED, or CANCELED when canceled before they started.</summary>
    public Task<int> RecordStartFailedAsync(Guid runId, Guid owner, IReadOnlyList<InstanceLease> leases, string error,
        JoinedWrite? alongside, CancellationToken ct, string state = InstanceStates.StartFailed)
    {
        InstanceStates.EnsureMove(InstanceStates.Pending, state);
        InstanceStates.EnsureMove(InstanceStates.Starting, state);
        return RunScopedAsync(runId, $"""
            UPDATE streamsets.run_instance i
               SET state = @State, error = @Error, finished_at = now(), lease_owner = NULL,
                   lease_expires_at = NULL, updated_at = now()
              FROM unnest(@Ids, @Generations) AS u(instance_id, generation)
             WHERE i.instance_id = u.instance_id AND i.lease_generation = u.generation
               AND i.lease_owner = @Owner AND i.state IN {InstanceStates.NotStartedSql}
            RETURNING 1;
            """, alongside, new { RunId = runId, Owner = owner, Error = error, State = state, Ids = leases.Ids(), Generations = leases.Generations() }, ct);
    }

    /// <summary>The platform may or may not have started them: keep STARTING and reconcile later.</summary>
    public Task<int> RecordStartUnknownAsync(Guid runId, Guid owner, IReadOnlyList<InstanceLease> leases, string error,
        TimeSpan reconcileAfter, JoinedWrite? alongside, CancellationToken ct) =>
        RunScopedAsync(runId, """
            UPDATE streamsets.run_instance i
               SET error = @Error, lease_owner = NULL, lease_expires_at = NULL,
                   next_check_at = now() + @ReconcileAfter, updated_at = now()
              FROM unnest(@Ids, @Generations) AS u(instance_id, generation)
             WHERE i.instance_id = u.instance_id AND i.lease_generation = u.generation
               AND i.lease_owner = @Owner AND i.state = 'STARTING'
            RETURNING 1;
            """, alongside, new
            {
                RunId = runId, Owner = owner, Error = error, ReconcileAfter = reconcileAfter,
                Ids = leases.Ids(), Generations = leases.Generations(),
            }, ct);

    /// <summary>A search found nothing for these STARTING instances: remember when, and look again after the delay.</summary>
    public async Task RecordMissedAsync(Guid owner, IReadOnlyList<InstanceLease> leases, TimeSpan lookAgainAfter, CancellationToken ct)
    {
        const string sql = """
            UPDATE streamsets.run_instance i
               SET reconcile_missed_at = coalesce(i.reconcile_missed_at, now()), lease_owner = NULL, lease_expires_at = NULL,
                   next_check_at = now() + @lookAgainAfter, updated_at = now()
              FROM unnest(@Ids, @Generations) AS u(instance_id, generation)
             WHERE i.instance_id = u.instance_id AND i.lease_generation = u.generation
               AND i.lease_owner = @owner AND i.state = 'STARTING'
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(sql,
            new { owner, lookAgainAfter, Ids = leases.Ids(), Generations = leases.Generations() }, cancellationToken: ct));
    }

    /// <summary>Nothing was sent: back to PENDING, to be started when the platform answers again.</summary>
    public async Task ReleaseNotSentAsync(Guid owner, IReadOnlyList<InstanceLease> leases, TimeSpan retryAfter, CancellationToken ct)
    {
        const string sql = """
            UPDATE streamsets.run_instance i
               SET state = 'PENDING', launch_attempts = greatest(i.launch_attempts - 1, 0), lease_owner = NULL,
                   lease_expires_at = NULL, next_check_at = now() + @retryAfter, updated_at = now()
              FROM unnest(@Ids, @Generations) AS u(instance_id, generation)
             WHERE i.instance_id = u.instance_id AND i.lease_generation = u.generation
               AND i.lease_owner = @owner AND i.state = 'STARTING'
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(sql,
            new { owner, retryAfter, Ids = leases.Ids(), Generations = leases.Generations() }, cancellationToken: ct));
    }

    /// <summary>The instance's state, or null when there is no such instance.</summary>
    public async Task<string?> StateAsync(Guid instanceId, CancellationToken ct)
    {
        const string sql = "SELECT state FROM streamsets.run_instance WHERE instance_id = @instanceId";
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(sql, new { instanceId }, cancellationToken: ct));
    }

    /// <summary>Instances of the run not yet known to have started or failed to start, those of a start in flight included.</summary>
    public async Task<long> UnsettledCountAsync(Guid runId, CancellationToken ct)
    {
        const string sql = $"SELECT count(*) FROM streamsets.run_instance_now WHERE run_id = @runId AND state IN {InstanceStates.UnsettledSql}";
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(sql, new { runId }, cancellationToken: ct));
    }

    public async Task<HashSet<string>> KnownJobIdsAsync(Guid runId, CancellationToken ct)
    {
        const string sql = "SELECT platform_job_id FROM streamsets.run_instance WHERE run_id = @runId AND platform_job_id IS NOT NULL";
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<string>(new CommandDefinition(sql, new { runId }, cancellationToken: ct))).ToHashSet();
    }

    private async Task<int> RunScopedAsync(Guid runId, string update, JoinedWrite? alongside, object args, CancellationToken ct)
    {
        var sql = "SELECT 1 FROM streamsets.run WHERE run_id = @RunId FOR UPDATE;\n" + update +
                  "\nSELECT streamsets.refresh_run_state(@RunId);\n" + alongside?.Sql;
        var parameters = new DynamicParameters(args);
        if (alongside is not null) parameters.AddDynamicParams(alongside.Parameters);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var results = await connection.QueryMultipleAsync(new CommandDefinition(sql, parameters, cancellationToken: ct));
        await results.ReadAsync<int>();
        var changed = (await results.ReadAsync<int>()).Count();
        await results.ConsumeAsync();
        return changed;
    }
}

internal readonly record struct InstanceLease(Guid InstanceId, long Generation);

/// <summary>
/// A statement of the caller's own that commits with an instance write, in the same round trip and
/// transaction: a launch stores the answer it gave with the outcome that answer describes.
/// <see cref="Sql"/> is a constant (values go in <see cref="Parameters"/>): statements that carry it are built once per text.
/// </summary>
internal sealed record JoinedWrite(string Sql, object Parameters);

internal static class InstanceLeaseExtensions
{
    public static Guid[] Ids(this IReadOnlyList<InstanceLease> leases) => leases.Select(l => l.InstanceId).ToArray();

    public static long[] Generations(this IReadOnlyList<InstanceLease> leases) => leases.Select(l => l.Generation).ToArray();
}
