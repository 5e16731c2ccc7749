using System.Security.Cryptography;
using System.Text;
using Dapper;
using JobTemplateService.Security;
using Microsoft.Extensions.Options;
using Npgsql;

namespace JobTemplateService.WebConsole;

/// <summary>
/// Sign-in sessions, kept in the database: the browser holds only a random token, the row holds its
/// hash, the key it was opened with, and when it was created and last used. The key itself is
/// never stored or sent back; revoking it ends its sessions.
/// </summary>
internal sealed class ConsoleSessions(NpgsqlDataSource dataSource, ApiKeyRepository keys, IOptions<SecurityOptions> security,
    IOptions<ConsoleOptions> options, KnownSessions known)
{
    /// <summary>Exchanges a valid key for a new session's token; null when the key is not valid.</summary>
    public async Task<string?> SignInAsync(string key, CancellationToken ct)
    {
        Guid? keyId = null;
        string name;
        byte[]? bootstrapHash = null;
        if (IsBootstrap(ApiKeyRepository.Hash(key)))
        {
            (name, bootstrapHash) = (ApiKeyValidator.BootstrapName, ApiKeyRepository.Hash(key));
        }
        else if (await keys.FindValidAsync(key, ct) is { } record)
        {
            (keyId, name) = (record.KeyId, record.Name);
        }
        else
        {
            return null;
        }

        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        const string sql = """
            DELETE FROM streamsets.console_session WHERE last_seen_at < now() - @IdleTimeout OR created_at < now() - @MaxSessionAge;
            INSERT INTO streamsets.console_session (session_id, token_hash, key_id, key_name, bootstrap_hash)
            VALUES (@Id, @Hash, @KeyId, @Name, @BootstrapHash);
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            Id = Guid.CreateVersion7(), Hash = Hash(token), KeyId = keyId, Name = name, BootstrapHash = bootstrapHash,
            options.Value.IdleTimeout, options.Value.MaxSessionAge,
        }, cancellationToken: ct));
        return token;
    }

    /// <summary>The identity of a live session (and notes its use at most once a minute); null when it is over or unknown.</summary>
    public async Task<ApiKeyIdentity?> FindAsync(string token, CancellationToken ct)
    {
        const string sql = """
            WITH live AS (
                SELECT session_id, key_id, bootstrap_hash, last_seen_at FROM streamsets.console_session
                 WHERE token_hash = @Hash AND last_seen_at > now() - @IdleTimeout AND created_at > now() - @MaxSessionAge
            ), touched AS (
                UPDATE streamsets.console_session s SET last_seen_at = now()
                  FROM live WHERE s.session_id = live.session_id AND live.last_seen_at < now() - interval '1 minute'
            )
            SELECT key_id, bootstrap_hash FROM live
            """;
        (Guid? KeyId, byte[]? BootstrapHash)? session;
        await using (var connection = await dataSource.OpenConnectionAsync(ct))
        {
            session = await connection.QuerySingleOrDefaultAsync<(Guid? KeyId, byte[]? BootstrapHash)?>(new CommandDefinition(sql,
                new { Hash = Hash(token), options.Value.IdleTimeout, options.Value.MaxSessionAge }, cancellationToken: ct));
        }
        if (session is not { } found) return null;
        ApiKeyIdentity? identity;
        if (found.KeyId is null)
            identity = found.BootstrapHash is { } hash && IsBootstrap(hash) ? new ApiKeyIdentity(ApiKeyValidator.BootstrapName, Scopes.All, OwnRunsOnly: false) : null;
        else // the key's current scopes and limits, read as the API reads them: a change to the key applies at once
            identity = await keys.FindActiveByIdAsync(found.KeyId.Value, ct) is { } record ? ApiKeyIdentity.From(record) : null;
        if (identity is not null) known.Remember(token);
        return identity;
    }

    public async Task SignOutAsync(string token, CancellationToken ct)
    {
        known.Forget(token);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM streamsets.console_session WHERE token_hash = @Hash",
            new { Hash = Hash(token) }, cancellationToken: ct));
    }

    private bool IsBootstrap(byte[] hash) => security.Value.BootstrapAdminKey is { Length: > 0 } bootstrap
        && CryptographicOperations.FixedTimeEquals(hash, ApiKeyRepository.Hash(bootstrap));

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
