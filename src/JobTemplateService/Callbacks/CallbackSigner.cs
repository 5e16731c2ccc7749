using System.Security.Cryptography;
using System.Text;

namespace JobTemplateService.Callbacks;

/// <summary>
/// X-JTS-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256 of "&lt;t&gt;.&lt;body&gt;" keyed with the
/// callback secret&gt;. A receiver recomputes it, compares in constant time, and rejects old t.
/// </summary>
internal static class CallbackSigner
{
    public const string Header = "X-JTS-Signature";

    public static string Sign(string secret, long timestamp, string body)
    {
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}"));
        return $"t={timestamp},v1={Convert.ToHexStringLower(mac)}";
    }
}
