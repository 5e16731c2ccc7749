using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace JobTemplateService.Security;

/// <summary>
/// Console sessions found valid in the last minute, by the hash of their cookie's token: memory
/// only, so that the limiter in front of authentication lets a signed-in person's pages through
/// as it lets a known API key through, without a database look-up.
/// </summary>
internal sealed class KnownSessions(TimeProvider time)
{
    public const string CookieName = "jts_console";
    private const int MaxEntries = 10_000;
    private static readonly TimeSpan KnownFor = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, DateTimeOffset> known = new(StringComparer.Ordinal);

    public void Remember(string token)
    {
        var now = time.GetUtcNow();
        if (known.Count >= MaxEntries)
        {
            foreach (var entry in known.Where(e => e.Value <= now).ToList()) known.TryRemove(entry);
        }
        known[Key(token)] = now + KnownFor;
    }

    public void Forget(string token) => known.TryRemove(Key(token), out _);

    public bool IsKnown(HttpRequest request) => request.Cookies[CookieName] is { Length: > 0 } token
        && known.TryGetValue(Key(token), out var until) && until > time.GetUtcNow();

    private static string Key(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
