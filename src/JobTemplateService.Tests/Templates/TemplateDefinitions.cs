using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace JobTemplateService.Tests;

/// <summary>Template bodies for PUT /v1/admin/templates/{pattern-name}, and the calls that manage them.</summary>
public static class TemplateDefinitions
{
    /// <summary>The original README's template, with metadata, a contract and a secret; http → gcs on Control Hub.</summary>
    public static JsonObject WeatherToGcs(string source = "http", string target = "gcs") => JsonNode.Parse($$"""
        {
          "source-type": "{{source}}", "target-type": "{{target}}", "platform": "controlhub",
          "platform-template-id": "{{Seed.ExampleTemplateId}}",
          "title": "Weather to Cloud Storage", "description": "Reads a city's **weather** and writes it to GCS.",
          "owner": "data@example.com", "tags": ["weather", "finance"], "documentation-url": "https://wiki.example.com/weather",
          "enabled": true,
          "parameters": {
            "type": "object",
            "properties": {
              "CITY": {"type": "string", "enum": ["London", "Phoenix"], "description": "The city."},
              "HTTP_URL": {"type": "string", "format": "uri"},
              "GCS_BUCKET": {"type": "string", "minLength": 3},
              "GCS_FOLDER": {"type": "string", "default": "UK"},
              "API_PASSWORD": {"type": "string", "writeOnly": true}
            },
            "required": ["CITY", "HTTP_URL", "GCS_BUCKET"],
            "additionalProperties": false
          },
          "static-parameters": {
            "source-runtime-parameters": {"HTTP_MODE": "POLLING", "HTTP_METHOD": "GET"},
            "destination-runtime-parameters": {},
            "source-connection-info": {},
            "destination-connection-info": {"GCS_CONNECTION": "9c960db9:8030c2e9", "GCS_TOKEN": "s3cret-token"}
          },
          "options": {"max-wait": "02:00:00", "max-concurrent-instances": 3, "delete-after-completion": false,
                      "instance-name-suffix": "COUNTER", "secret-parameters": ["GCS_CONNECTION"], "overridable-parameters": []}
        }
        """)!.AsObject();

    public static Task<HttpResponseMessage> PutTemplateAsync(this TestApp app, string patternName, JsonNode body, string? key = null) =>
        app.SendAsync(HttpMethod.Put, $"/v1/admin/templates/{patternName}", key, body);

    public static async Task<JsonObject> GetJsonAsync(this TestApp app, string path)
    {
        using var response = await app.SendAsync(HttpMethod.Get, path, null);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    public static async Task<IReadOnlyList<TemplateChange>> HistoryAsync(this TestApp app, string patternName) =>
        (await app.Client.GetFromJsonAsync<TemplateHistory>($"/v1/admin/templates/{patternName}/history", Json.Options))!.Changes;

    public static JsonObject With(this JsonObject body, string path, JsonNode? value)
    {
        var copy = body.DeepClone().AsObject();
        var parts = path.Split('.');
        var node = copy;
        foreach (var part in parts[..^1]) node = node[part]!.AsObject();
        node[parts[^1]] = value;
        return copy;
    }

    public static string Text(this JsonElement element) => element.GetRawText();
}
