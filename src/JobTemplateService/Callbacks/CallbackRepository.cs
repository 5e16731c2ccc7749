using Dapper;
using JobTemplateService.Security;
using Npgsql;

namespace JobTemplateService.Callbacks;

/// <summary>The callback outbox: rows are queued by refresh_run_state when a run finishes, in the same transaction.</summary>
internal sealed class CallbackRepository(NpgsqlDataSource dataSource)
{
    public async Task<IReadOnlyList<DueCallback>> ClaimAsync(Guid owner, int limit, CancellationToken ct)
    {
        const string sql = """
            WITH due AS MATERIALIZED (
                SELECT delivery_id FROM streamsets.callback_delivery
                 WHERE state = 'PENDING' AND next_attempt_at <= now()
                   AND (lease_expires_at IS NULL OR lease_expires_at < now())
                 ORDER BY next_attempt_at LIMIT @limit
                   FOR UPDATE SKIP LOCKED
            )
            UPDATE streamsets.callback_delivery d
               SET lease_owner = @owner, lease_expires_at = now() + interval '2 minutes', attempts = d.attempts + 1
              FROM due, streamsets.run r
             WHERE d.delivery_id = due.delivery_id AND r.run_id = d.run_id
            RETURNING d.delivery_id, d.run_id, d.attempts, r.callback_url, r.callback_secret
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<DueCallback>(new CommandDefinition(sql, new { owner, limit }, cancellationToken: ct))).AsList();
    }

    public async Task RecordAsync(Guid owner, Guid deliveryId, bool delivered, bool giveUp, int? status, string? error, TimeSpan retryIn,
        CancellationToken ct)
    {
        const string sql = """
            UPDATE streamsets.callback_delivery
               SET state = CASE WHEN @delivered THEN 'DELIVERED' WHEN @giveUp THEN 'FAILED' ELSE 'PENDING' END,
                   delivered_at = CASE WHEN @delivered THEN now() END, last_status = @status, last_error = @error,
                   next_attempt_at = now() + @retryIn, lease_owner = NULL, lease_expires_at = NULL
             WHERE delivery_id = @deliveryId AND lease_owner = @owner
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(sql,
            new { owner, deliveryId, delivered, giveUp, status, error, retryIn }, cancellationToken: ct));
    }

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

internal sealed record DueCallback
{
    public Guid DeliveryId { get; init; }
    public Guid RunId { get; init; }
    public int Attempts { get; init; }
    public string CallbackUrl { get; init; } = "";
    public string? CallbackSecret { get; init; }
}
