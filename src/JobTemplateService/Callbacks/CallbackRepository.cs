using Dapper;
using JobTemplateService.Security;
using Npgsql;

namespace JobTemplateService.Callbacks;

/// <summary>
/// The callback outboxes: run.finished rows are queued by refresh_run_state when a run finishes,
/// instance events (instance.stalled) when an instance is marked; each in the transaction that
/// made it so. Both are claimed and recorded the same way.
/// </summary>
internal sealed class CallbackRepository(NpgsqlDataSource dataSource)
{
    private const string RunTable = "streamsets.callback_delivery";
    private const string InstanceTable = "streamsets.instance_event_delivery";

    public async Task<IReadOnlyList<DueCallback>> ClaimAsync(Guid owner, int limit, CancellationToken ct)
    {
        const string sql = $"""
            {ClaimRunFinished};
            {ClaimInstanceEvents};
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var results = await connection.QueryMultipleAsync(new CommandDefinition(sql, new { owner, limit }, cancellationToken: ct));
        var due = (await results.ReadAsync<DueCallback>()).AsList();
        due.AddRange(await results.ReadAsync<DueCallback>());
        return due;
    }

    public async Task RecordAsync(Guid owner, DueCallback callback, bool delivered, bool giveUp, int? status, string? error, TimeSpan retryIn,
        CancellationToken ct)
    {
        var sql = $"""
            UPDATE {(callback.InstanceId is null ? RunTable : InstanceTable)}
               SET state = CASE WHEN @delivered THEN 'DELIVERED' WHEN @giveUp THEN 'FAILED' ELSE 'PENDING' END,
                   delivered_at = CASE WHEN @delivered THEN now() END, last_status = @status, last_error = @error,
                   next_attempt_at = now() + @retryIn, lease_owner = NULL, lease_expires_at = NULL
             WHERE delivery_id = @deliveryId AND lease_owner = @owner
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(sql,
            new { owner, callback.DeliveryId, delivered, giveUp, status, error, retryIn }, cancellationToken: ct));
    }

    private const string ClaimRunFinished = $"""
        WITH due AS MATERIALIZED (
            SELECT delivery_id FROM {RunTable}
             WHERE state = 'PENDING' AND next_attempt_at <= now()
               AND (lease_expires_at IS NULL OR lease_expires_at < now())
             ORDER BY next_attempt_at LIMIT @limit
               FOR UPDATE SKIP LOCKED
        )
        UPDATE {RunTable} d
           SET lease_owner = @owner, lease_expires_at = now() + interval '2 minutes', attempts = d.attempts + 1
          FROM due, streamsets.run r
         WHERE d.delivery_id = due.delivery_id AND r.run_id = d.run_id
        RETURNING d.delivery_id, d.run_id, d.attempts, r.callback_url, r.callback_secret, 'run.finished' AS event,
                  NULL::uuid AS instance_id, NULL::timestamptz AS occurred_at
        """;

    private const string ClaimInstanceEvents = $"""
        WITH due AS MATERIALIZED (
            SELECT delivery_id FROM {InstanceTable}
             WHERE state = 'PENDING' AND next_attempt_at <= now()
               AND (lease_expires_at IS NULL OR lease_expires_at < now())
             ORDER BY next_attempt_at LIMIT @limit
               FOR UPDATE SKIP LOCKED
        )
        UPDATE {InstanceTable} d
           SET lease_owner = @owner, lease_expires_at = now() + interval '2 minutes', attempts = d.attempts + 1
          FROM due, streamsets.run r
         WHERE d.delivery_id = due.delivery_id AND r.run_id = d.run_id
        RETURNING d.delivery_id, d.run_id, d.attempts, r.callback_url, r.callback_secret, d.event, d.instance_id, d.occurred_at
        """;

    /// <summary>Encrypts callback secrets still stored in plain text (by versions before 0003); returns how many.</summary>
    public async Task<int> ProtectPlainSecretsAsync(Func<string?, string?> protect, CancellationToken ct)
    {
        const string find = $"""
            SELECT run_id, callback_secret FROM streamsets.run
             WHERE callback_secret IS NOT NULL AND callback_secret NOT LIKE '{CallbackSecrets.Prefix}%' LIMIT 500
            """;
        const string replace = "UPDATE streamsets.run SET callback_secret = @next WHERE run_id = @RunId AND callback_secret = @Secret";
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var total = 0;
        while (true)
        {
            var plain = (await connection.QueryAsync<(Guid RunId, string Secret)>(new CommandDefinition(find, cancellationToken: ct))).AsList();
            if (plain.Count == 0) return total;
            foreach (var (runId, secret) in plain)
                total += await connection.ExecuteAsync(new CommandDefinition(replace, new { RunId = runId, Secret = secret, next = protect(secret) }, cancellationToken: ct));
        }
    }
}

/// <summary>A delivery to make: run.finished (no instance) or an event about one instance of the run.</summary>
internal sealed record DueCallback
{
    public Guid DeliveryId { get; init; }
    public Guid RunId { get; init; }
    public int Attempts { get; init; }
    public string CallbackUrl { get; init; } = "";
    public string? CallbackSecret { get; init; }
    public string Event { get; init; } = "run.finished";
    public Guid? InstanceId { get; init; }
    public DateTime? OccurredAt { get; init; }
}
