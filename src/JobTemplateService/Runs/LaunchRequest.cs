using System.Security.Cryptography;
using System.Text;

namespace JobTemplateService.Runs;

/// <summary>The launch body, shared by POST /v1/runs and the original POST /streamsets/job-template-runner.</summary>
public sealed record LaunchRequest(
    string UserId,
    string UserRunId,
    string SourceType,
    string TargetType,
    IReadOnlyList<IReadOnlyDictionary<string, string>> RuntimeParameters,
    string? CallbackUrl = null,
    string? CallbackSecret = null)
{
    /// <summary>
    /// What the request asks for, to tell a replay from a different request: an HMAC keyed with the
    /// database's own key, since the fields include secrets a plain hash would let anyone test guesses against.
    /// </summary>
    internal string Fingerprint(byte[] key) => KeyedPrefix + Convert.ToHexStringLower(HMACSHA256.HashData(key, Canonical()));

    /// <summary>Whether a stored fingerprint is this request's; rows from before 0003 hold a plain SHA-256.</summary>
    internal bool HasFingerprint(string stored, byte[] key) => stored.StartsWith(KeyedPrefix, StringComparison.Ordinal)
        ? CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(stored), Encoding.ASCII.GetBytes(Fingerprint(key)))
        : stored == Convert.ToHexStringLower(SHA256.HashData(Canonical()));

    private const string KeyedPrefix = "h1:";

    private byte[] Canonical()
    {
        var canonical = new StringBuilder();
        foreach (var field in new[] { UserId, UserRunId, SourceType, TargetType, CallbackUrl ?? "", CallbackSecret ?? "" }) Append(canonical, field);
        foreach (var set in RuntimeParameters)
        {
            canonical.Append('{');
            foreach (var (key, value) in set.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                Append(canonical, key);
                Append(canonical, value);
            }
            canonical.Append('}');
        }
        return Encoding.UTF8.GetBytes(canonical.ToString());
    }

    /// <summary>Without an Idempotency-Key these four fields identify a launch (README, Repeating a launch safely).</summary>
    internal string NaturalKey()
    {
        var canonical = new StringBuilder();
        foreach (var field in new[] { UserId, UserRunId, SourceType, TargetType }) Append(canonical, field);
        return "natural:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())));
    }

    private static void Append(StringBuilder builder, string value) => builder.Append(value.Length).Append(':').Append(value);
}
