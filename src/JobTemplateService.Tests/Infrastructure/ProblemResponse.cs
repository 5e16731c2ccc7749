using System.Net;
using System.Text.Json;

namespace JobTemplateService.Tests;

/// <summary>Reads an RFC 9457 answer after checking its status and media type.</summary>
public static class ProblemResponse
{
    public static async Task<JsonElement> ReadProblemAsync(this HttpResponseMessage response, HttpStatusCode status, string type)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var root = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal(type, root.GetProperty("type").GetString());
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("title").GetString()));
        Assert.Equal((int)status, root.GetProperty("status").GetInt32());
        return root;
    }

    /// <summary>The keys of the problem's errors map (field names or runtime-parameters[i].KEY).</summary>
    public static IReadOnlyList<string> ErrorKeys(this JsonElement problem) =>
        problem.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object
            ? errors.EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal).ToList()
            : [];
}
