using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace JobTemplateService.Security;

/// <summary>
/// Checks keys against the database (or the bootstrap key from configuration), remembering a
/// result for Security:KeyCacheDuration so a busy caller costs one look-up per period, not per
/// request. Valid and invalid keys are remembered apart: a flood of invalid keys fills (and
/// clears) only its own cache, never pushing a valid key out.
/// </summary>
internal sealed class ApiKeyValidator(ApiKeyRepository keys, IOptions<SecurityOptions> options, TimeProvider time)
{
    public const string BootstrapName = "bootstrap-admin";
    private const int MaxEntries = 10_000;
    // How long a key that validated counts as known to the limiter in front of authentication.
    private static readonly TimeSpan KnownFor = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, (ApiKeyIdentity Identity, DateTimeOffset Until, DateTimeOffset KnownUntil)> valid = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> invalid = new();

    public async Task<ApiKeyIdentity?> ValidateAsync(string key, CancellationToken ct)
    {
        var hash = ApiKeyRepository.Hash(key);
        if (IsBootstrap(hash)) return new ApiKeyIdentity(BootstrapName, Scopes.All, OwnRunsOnly: false);

        var cacheKey = Convert.ToHexString(hash);
        var now = time.GetUtcNow();
        if (valid.TryGetValue(cacheKey, out var known) && known.Until > now) return known.Identity;
        if (invalid.TryGetValue(cacheKey, out var until) && until > now) return null;

        var record = await keys.FindValidAsync(key, ct);
        var lifetime = options.Value.KeyCacheDuration;
        if (record is null)
        {
            valid.TryRemove(cacheKey, out _);
            if (invalid.Count >= MaxEntries) invalid.Clear();
            invalid[cacheKey] = now + lifetime;
            return null;
        }
        var identity = new ApiKeyIdentity(record.Name, record.Scopes, record.OwnRunsOnly) { Templates = record.Templates };
        if (valid.Count >= MaxEntries) Prune(valid, now);
        valid[cacheKey] = (identity, now + lifetime, now + (lifetime > KnownFor ? lifetime : KnownFor));
        invalid.TryRemove(cacheKey, out _);
        return identity;
    }

    /// <summary>Whether the key validated recently; memory only, so it costs nothing to ask before authentication.</summary>
    public bool IsKnownValid(string key)
    {
        var hash = ApiKeyRepository.Hash(key);
        return IsBootstrap(hash) || valid.TryGetValue(Convert.ToHexString(hash), out var known) && known.KnownUntil > time.GetUtcNow();
    }

    private bool IsBootstrap(byte[] hash) => options.Value.BootstrapAdminKey is { Length: > 0 } bootstrap
        && CryptographicOperations.FixedTimeEquals(hash, ApiKeyRepository.Hash(bootstrap));

    private static void Prune<T>(ConcurrentDictionary<string, (T, DateTimeOffset Until, DateTimeOffset KnownUntil)> cache, DateTimeOffset now)
    {
        foreach (var entry in cache.Where(e => e.Value.KnownUntil <= now).ToList()) cache.TryRemove(entry);
    }
}
