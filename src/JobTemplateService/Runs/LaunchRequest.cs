using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace JobTemplateService;

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
    /// <summary>A stable hash of what the request asks for, to tell a replay from a different request.</summary>
    internal string Fingerprint()
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
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())));
    }

    /// <summary>Without an Idempotency-Key these four fields identify a launch (DESIGN §5).</summary>
    internal string NaturalKey()
    {
        var canonical = new StringBuilder();
        foreach (var field in new[] { UserId, UserRunId, SourceType, TargetType }) Append(canonical, field);
        return "natural:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())));
    }

    private static void Append(StringBuilder builder, string value) => builder.Append(value.Length).Append(':').Append(value);
}
