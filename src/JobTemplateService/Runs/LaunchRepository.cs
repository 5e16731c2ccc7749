using Dapper;
using JobTemplateService.Instances;
using JobTemplateService.Templates;
using Npgsql;

namespace JobTemplateService.Runs;

/// <summary>
/// The launch's writes. The intent (idempotency key, run, instances) is one statement, so the key's
/// primary key decides which of several concurrent identical requests launches. The instances the
/// request starts itself are its run's start intent, leased to it (<see cref="StartIntent"/>): if it
/// dies before or during the platform call, monitors write them STARTING once the lease expires and
/// reconcile them by the run's tag like any unclear start.
/// </summary>
internal sealed class LaunchRepository(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Records the intent, if the template catalog is still at the version the intent's template
    /// was read at. Returns it as recorded (with each instance's state); or nothing, because the
    /// key already exists or the catalog changed (<see cref="IntentRecord.TemplateChanged"/>).
    /// </summary>
    public async Task<IntentRecord> RecordIntentAsync(LaunchIntent intent, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        if (intent.Template.MaxConcurrentInstances is null)
        {
            var start = intent.StartIntent();
            var row = await connection.QuerySingleAsync<IntentRow>(new CommandDefinition(IntentSql, intent.ToParameters(start), cancellationToken: ct));
            return row.Record(intent.Instances, start);
        }

        // A template with a concurrency limit: lock its row so that replicas launching at the same
        // moment count one after the other; what does not fit waits QUEUED, behind older queued work.
        await using var transaction = await connection.BeginTransactionAsync(ct);
        TemplateLoad load;
        await using (var results = await connection.QueryMultipleAsync(new CommandDefinition(TemplateLoad.Sql,
                         new { intent.Template.JobTemplateId }, transaction, cancellationToken: ct)))
        {
            await results.ReadAsync<int>();
            // No row: the template was removed since it was read, a change like any other.
            if (await results.ReadSingleOrDefaultAsync<TemplateLoad>() is not { } found) return new IntentRecord(null, TemplateChanged: true);
            load = found;
        }
        var capacity = load.Queued > 0 ? 0 : Math.Max((load.Limit ?? int.MaxValue) - (int)load.Active, 0);
        var limited = intent with
        {
            Instances = intent.Instances.Select((i, n) => i with { State = n < capacity ? InstanceStates.Starting : InstanceStates.Queued }).ToList(),
        };
        var limitedStart = limited.StartIntent();
        var recorded = await connection.QuerySingleAsync<IntentRow>(
            new CommandDefinition(IntentSql, limited.ToParameters(limitedStart), transaction, cancellationToken: ct));
        await transaction.CommitAsync(ct);
        return recorded.Record(limited.Instances, limitedStart);
    }

    private const string IntentSql = $"""
            WITH request AS (
                INSERT INTO streamsets.launch_request AS lr (scope, request_key, key_kind, fingerprint, run_id, expires_at)
                SELECT @Scope, @RequestKey, @KeyKind, @Fingerprint, @RunId, now() + @Retention
                 WHERE {TemplateRepository.CatalogVersionSql} = @CatalogVersion
                ON CONFLICT (scope, request_key) DO UPDATE
                   SET key_kind = EXCLUDED.key_kind, fingerprint = EXCLUDED.fingerprint, run_id = EXCLUDED.run_id,
                       response_status = NULL, response_body = NULL, created_at = now(), completed_at = NULL,
                       expires_at = EXCLUDED.expires_at
                 WHERE lr.expires_at < now()
                RETURNING run_id
            ), new_run AS (
                INSERT INTO streamsets.run (run_id, user_id, user_run_id, source_type, target_type, job_template_id,
                                            pattern_name, platform, platform_template_id, state, requested_by,
                                            callback_url, callback_secret, relaunch_of, start_intent, start_owner, start_lease_expires_at)
                SELECT run_id, @UserId, @UserRunId, @SourceType, @TargetType, @JobTemplateId, @PatternName, @Platform,
                       @PlatformTemplateId, 'STARTING', @RequestedBy, @CallbackUrl, @CallbackSecret, @RelaunchOf,
                       @StartIntent::jsonb, CASE WHEN @StartIntent IS NOT NULL THEN @Owner END,
                       CASE WHEN @StartIntent IS NOT NULL THEN now() + @Lease END
                  FROM request
                RETURNING run_id, created_at
            ), {InstanceRepository.InsertQueuedSql}
            SELECT (SELECT created_at FROM new_run) AS created_at,
                   {TemplateRepository.CatalogVersionSql} = @CatalogVersion AS catalog_current
            """;

    public async Task<LaunchRequestRow?> FindRequestAsync(string scope, string requestKey, TimeSpan inFlightTimeout, CancellationToken ct)
    {
        const string sql = """
            SELECT key_kind, fingerprint, run_id, response_status, response_body,
                   (completed_at IS NULL AND created_at < now() - @inFlightTimeout) AS stale
              FROM streamsets.launch_request
             WHERE scope = @scope AND request_key = @requestKey AND expires_at >= now()
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<LaunchRequestRow>(
            new CommandDefinition(sql, new { scope, requestKey, inFlightTimeout }, cancellationToken: ct));
    }

    /// <summary>Stores the answer given for the key, to be replayed to a repeated request.</summary>
    public async Task CompleteRequestAsync(StoredResponse answer, CancellationToken ct)
    {
        var write = CompleteRequest(answer);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(write.Sql, write.Parameters, cancellationToken: ct));
    }

    /// <summary>The same, as a statement that commits with the instance write recording the outcome the answer describes.</summary>
    public static JoinedWrite CompleteRequest(StoredResponse answer) => new("""
        UPDATE streamsets.launch_request SET response_status = @ResponseStatus, response_body = @ResponseBody, completed_at = now()
         WHERE scope = @ResponseScope AND request_key = @ResponseKey AND run_id = @ResponseRunId AND completed_at IS NULL;
        """, new
    {
        ResponseScope = answer.Scope, ResponseKey = answer.RequestKey, ResponseRunId = answer.RunId,
        ResponseStatus = answer.Status, ResponseBody = answer.Body,
    });

    /// <summary>
    /// Removes a launch that provably never reached the platform, so that a retry starts afresh
    /// and nothing half-written stays behind. False when the run is no longer this request's alone
    /// (a monitor took its start intent over, or promoted one of its queued instances): then
    /// nothing is removed.
    /// </summary>
    public async Task<bool> UndoIntentAsync(LaunchIntent intent, CancellationToken ct)
    {
        // Its queued instances go with it (ON DELETE CASCADE); not when one was promoted since.
        const string sql = $"""
            WITH removed AS (
                DELETE FROM streamsets.run r
                 WHERE r.run_id = @RunId AND r.start_owner = @Owner AND r.start_intent IS NOT NULL
                   AND NOT EXISTS (SELECT 1 FROM streamsets.run_instance i
                                    WHERE i.run_id = r.run_id AND i.state <> '{InstanceStates.Queued}')
                RETURNING r.run_id
            ), forgotten AS (
                DELETE FROM streamsets.launch_request
                 WHERE scope = @Scope AND request_key = @RequestKey AND run_id IN (SELECT run_id FROM removed)
            )
            SELECT count(*) FROM removed
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(sql,
            new { intent.Scope, intent.RequestKey, intent.RunId, intent.Owner }, cancellationToken: ct)) > 0;
    }
}

/// <summary>A recorded launch: when, its instances as recorded (STARTING or QUEUED), and its start intent (null when all are queued).</summary>
internal sealed record RecordedIntent(DateTime CreatedAt, IReadOnlyList<IntentInstance> Instances, StartIntent? Start);

/// <summary>An intent recorded; or not: its key exists already, or (TemplateChanged) its template changed since it was read.</summary>
internal sealed record IntentRecord(RecordedIntent? Recorded, bool TemplateChanged);

internal sealed record IntentRow
{
    public DateTime? CreatedAt { get; init; }
    public bool CatalogCurrent { get; init; }

    public IntentRecord Record(IReadOnlyList<IntentInstance> instances, StartIntent? start) =>
        new(CreatedAt is { } created ? new RecordedIntent(created, instances, start) : null, !CatalogCurrent);
}

/// <summary>The answer to store for an idempotency key, written with the outcome it describes.</summary>
internal sealed record StoredResponse(string Scope, string RequestKey, Guid RunId, int Status, string Body);

/// <summary>A template's concurrency limit and its live instances, read under the template row's lock.</summary>
internal sealed record TemplateLoad
{
    // Lock first, count in a second statement: a count in the locking statement would use the
    // snapshot taken before the lock was granted, and miss what the previous holder launched.
    public const string Sql = $"""
        SELECT 1 FROM streamsets.job_template WHERE job_template_id = @JobTemplateId FOR UPDATE;
        SELECT t.max_concurrent_instances AS limit,
               (SELECT count(*) FROM streamsets.run_instance_now i
                 WHERE i.job_template_id = t.job_template_id AND i.state IN {InstanceStates.ActiveSql}) AS active,
               (SELECT count(*) FROM streamsets.run_instance i
                 WHERE i.job_template_id = t.job_template_id AND i.state = 'QUEUED') AS queued
          FROM streamsets.job_template t
         WHERE t.job_template_id = @JobTemplateId;
        """;

    public int? Limit { get; init; }
    public long Active { get; init; }
    public long Queued { get; init; }
}

internal sealed record LaunchRequestRow
{
    public string KeyKind { get; init; } = "";
    public string Fingerprint { get; init; } = "";
    public Guid? RunId { get; init; }
    public int? ResponseStatus { get; init; }
    public string? ResponseBody { get; init; }
    public bool Stale { get; init; }
}
