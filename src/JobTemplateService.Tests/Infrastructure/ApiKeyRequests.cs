using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace JobTemplateService.Tests;

/// <summary>API keys for tests (created through the service's own repository) and requests that carry them.</summary>
public static class ApiKeyRequests
{
    public const string BootstrapKey = "bootstrap-admin-key-for-tests-5f0d2c71";

    /// <summary>Security:Mode=ApiKeys, revocation effective at once, a bootstrap admin key.</summary>
    public static void ApiKeys(Dictionary<string, string?> settings)
    {
        settings["Security:Mode"] = "ApiKeys";
        settings["Security:KeyCacheDuration"] = "00:00:00";
        settings["Security:BootstrapAdminKey"] = BootstrapKey;
    }

    public static async Task<string> CreateKeyAsync(this TestApp app, string name, params string[] scopes) =>
        (await app.Service<ApiKeyRepository>().CreateAsync(name, scopes, CancellationToken.None)).Key;

    /// <summary>A launch,read key made through the admin API with the bootstrap key, optionally limited to its own runs.</summary>
    public static async Task<string> CreateKeyOverHttpAsync(this TestApp app, string name, bool ownRunsOnly, params string[] scopes)
    {
        var body = new JsonObject
        {
            ["name"] = name, ["scopes"] = new JsonArray((scopes.Length == 0 ? ["launch", "read"] : scopes).Select(s => (JsonNode)s).ToArray()),
            ["own-runs-only"] = ownRunsOnly,
        };
        using var response = await app.SendAsync(HttpMethod.Post, "/v1/admin/api-keys", BootstrapKey, body);
        response.EnsureSuccessStatusCode();
        return System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("key").GetString()!;
    }

    /// <summary>A request with the key as Authorization: Bearer (or as X-API-Key), and a JSON body when given.</summary>
    public static async Task<HttpResponseMessage> SendAsync(this TestApp app, HttpMethod method, string path, string? key,
        JsonNode? body = null, bool asBearer = true, string? idempotencyKey = null)
    {
        await ControlHubSimulator.WarmUpAsync();
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        if (key is not null && asBearer) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (key is not null && !asBearer) request.Headers.Add("X-API-Key", key);
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await app.Client.SendAsync(request);
    }
}
