using System.Buffers.Text;
using System.Text.Json;

namespace JobTemplateService.Platform.ControlHub;

/// <summary>
/// A Control Hub API credential token is a JWT whose payload names the organization in its "o"
/// claim; the SDK reads it there too (sch_api.ApiClient.__init__). The token is our own
/// credential, so it is only read, not verified.
/// </summary>
internal static class ControlHubToken
{
    /// <summary>The organization id, or null when the token is not a JWT with an "o" claim.</summary>
    public static string? Organization(string? token)
    {
        var parts = token?.Trim().Split('.');
        if (parts is not { Length: 3 } || parts[1].Length == 0) return null;
        try
        {
            // base64url, padding optional: the SDK's own decoder (standard alphabet, "==" appended) breaks on '-' and '_'.
            var payload = Base64Url.DecodeFromChars(parts[1].TrimEnd('='));
            using var document = JsonDocument.Parse(payload);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("o", out var organization)
                && organization.ValueKind == JsonValueKind.String
                && !string.IsNullOrWhiteSpace(organization.GetString())
                    ? organization.GetString()
                    : null;
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }
    }
}
