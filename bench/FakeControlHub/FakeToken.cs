using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace FakeControlHub;

/// <summary>Credential tokens as Control Hub issues them: JWTs whose "o" claim names the organization.</summary>
public static class FakeToken
{
    public static string For(string organization)
    {
        static string Encode(object value) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(value)));
        return $"{Encode(new { alg = "RS256", typ = "JWT" })}.{Encode(new { o = organization, s = "fake" })}.ZmFrZS1zaWduYXR1cmU";
    }
}
