using System.Security.Cryptography;
using Dapper;
using Npgsql;

namespace JobTemplateService.Security;

/// <summary>
/// Keys the service makes for itself and keeps in the database (streamsets.service_key), so every
/// replica uses the same one: created on first use by whichever replica gets there first.
/// </summary>
internal sealed class ServiceKeys(NpgsqlDataSource dataSource)
{
    private const string FingerprintKeyName = "idempotency-fingerprint";
    private volatile byte[]? fingerprint;

    /// <summary>The HMAC key of launch fingerprints (256 random bits).</summary>
    public async ValueTask<byte[]> FingerprintKeyAsync(CancellationToken ct) => fingerprint ??= await LoadOrCreateAsync(FingerprintKeyName, ct);

    private async Task<byte[]> LoadOrCreateAsync(string name, CancellationToken ct)
    {
        // Inserted by this statement, or the one another replica inserted first. When two insert at
        // once, the second waits for the first and does nothing, and its statement's snapshot cannot
        // see the winner's row: the second statement, with a snapshot of its own, reads it.
        const string create = """
            WITH created AS (
                INSERT INTO streamsets.service_key (name, key) VALUES (@name, @key) ON CONFLICT (name) DO NOTHING RETURNING key
            )
            SELECT key FROM created UNION ALL SELECT key FROM streamsets.service_key WHERE name = @name LIMIT 1
            """;
        const string read = "SELECT key FROM streamsets.service_key WHERE name = @name";
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<byte[]>(new CommandDefinition(create,
                   new { name, key = RandomNumberGenerator.GetBytes(32) }, cancellationToken: ct))
               ?? await connection.QuerySingleAsync<byte[]>(new CommandDefinition(read, new { name }, cancellationToken: ct));
    }
}
