using System.Text;
using System.Text.Json.Nodes;

namespace JobTemplateService.Tests;

/// <summary>Launch bodies for the http → gcs rule, and posting them the way a caller would.</summary>
public static class LaunchBodies
{
    /// <summary>The dynamic parameters of one city, as in the original README.</summary>
    public static JsonObject City(string city, string folder = "UK") => new()
    {
        ["HTTP_URL"] = "http://api.openweathermap.org/data/2.5/weather",
        ["CITY"] = city,
        ["GCS_BUCKET"] = "146_gcs_bucket",
        ["GCS_FOLDER"] = folder,
    };

    /// <summary>A complete, valid body; one instance per parameter set (London when none are given).</summary>
    public static JsonObject Body(string userRunId = "run-1", string userId = "ann@example.com", string source = "http",
        string target = "gcs", params JsonObject[] sets) => new()
    {
        ["user-id"] = userId,
        ["user-run-id"] = userRunId,
        ["source-type"] = source,
        ["target-type"] = target,
        ["runtime-parameters"] = new JsonArray((sets.Length == 0 ? [City("London")] : sets).Select(s => (JsonNode)s).ToArray()),
    };

    public static Task<HttpResponseMessage> PostJsonAsync(this TestApp app, string path, JsonNode body, string? idempotencyKey = null) =>
        app.PostRawAsync(path, body.ToJsonString(), idempotencyKey);

    public static async Task<HttpResponseMessage> PostRawAsync(this TestApp app, string path, string body, string? idempotencyKey = null)
    {
        await ControlHubSimulator.WarmUpAsync();
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (idempotencyKey is not null) request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        return await app.Client.SendAsync(request);
    }
}
