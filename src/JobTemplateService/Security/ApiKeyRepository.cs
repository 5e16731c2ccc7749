using System.Security.Cryptography;
using System.Text;
using Dapper;
using Npgsql;

namespace JobTemplateService.Security;

/// <summary>
/// API keys: jts_&lt;prefix&gt;_&lt;secret&gt; with 256 random bits of secret. Only the SHA-256 of the
/// whole key is stored; the prefix finds the row. A new key is shown once, when it is created.
/// </summary>
internal sealed class ApiKeyRepository(NpgsqlDataSource dataSource)
{
    public async Task<(ApiKeyRecord Record, string Key)> CreateAsync(string name, IReadOnlyCollection<string> scopes, CancellationToken ct,
        IReadOnlyCollection<string>? templates = null, bool ownRunsOnly = false)
    {
        var prefix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5));
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        var key = $"jts_{prefix}_{secret}";
        const string sql = """
            INSERT INTO streamsets.api_key (key_id, name, prefix, key_hash, scopes, templates, own_runs_only)
            VALUES (@id, @name, @prefix, @hash, @scopes, @templates, @ownRunsOnly)
            RETURNING name, prefix, scopes, templates, own_runs_only, created_at, last_used_at, revoked_at
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var record = await connection.QuerySingleAsync<ApiKeyRecord>(new CommandDefinition(sql,
            new { id = Guid.CreateVersion7(), name, prefix, hash = Hash(key), scopes = scopes.Distinct().ToArray(),
                templates = (templates ?? []).Distinct().ToArray(), ownRunsOnly }, cancellationToken: ct));
        return (record, key);
    }

    public async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken ct)
    {
        const string sql = "SELECT name, prefix, scopes, templates, own_runs_only, created_at, last_used_at, revoked_at FROM streamsets.api_key ORDER BY name";
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<ApiKeyRecord>(new CommandDefinition(sql, cancellationToken: ct))).AsList();
    }

    public async Task<bool> RevokeAsync(string name, CancellationToken ct)
    {
        const string sql = "UPDATE streamsets.api_key SET revoked_at = now() WHERE name = @name AND revoked_at IS NULL";
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(sql, new { name }, cancellationToken: ct)) > 0;
    }

    /// <summary>
    /// The key's row when it exists, is not revoked and its hash matches (compared in constant time).
    /// Only a matching key writes: last_used_at, at most once a minute.
    /// </summary>
    public async Task<ApiKeyRecord?> FindValidAsync(string key, CancellationToken ct)
    {
        var parts = key.Split('_', 3);
        if (parts.Length != 3 || parts[0] != "jts" || parts[1].Length != 10) return null;
        const string find = """
            SELECT key_id, name, prefix, scopes, templates, own_runs_only, created_at, last_used_at, revoked_at, key_hash
              FROM streamsets.api_key WHERE prefix = @prefix AND revoked_at IS NULL
            """;
        const string touch = """
            UPDATE streamsets.api_key SET last_used_at = now()
             WHERE key_id = @KeyId AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<ApiKeyRecord>(new CommandDefinition(find, new { prefix = parts[1] }, cancellationToken: ct));
        if (row is null || !CryptographicOperations.FixedTimeEquals(row.KeyHash, Hash(key))) return null;
        await connection.ExecuteAsync(new CommandDefinition(touch, new { row.KeyId }, cancellationToken: ct));
        return row;
    }

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

public sealed record ApiKeyRecord
{
    public string Name { get; init; } = "";
    public string Prefix { get; init; } = "";
    public string[] Scopes { get; init; } = [];
    public bool OwnRunsOnly { get; init; }
    /// <summary>Template limits (pattern-name globs, tag:&lt;tag&gt;); empty: every template.</summary>
    public string[] Templates { get; init; } = [];
    public DateTime CreatedAt { get; init; }
    public DateTime? LastUsedAt { get; init; }
    public DateTime? RevokedAt { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    internal byte[] KeyHash { get; init; } = [];

    [System.Text.Json.Serialization.JsonIgnore]
    internal Guid KeyId { get; init; }
}
