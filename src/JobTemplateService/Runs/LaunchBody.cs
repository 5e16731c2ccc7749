using System.Text.Json;
using JobTemplateService.Common;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace JobTemplateService.Runs;

/// <summary>Reads and checks a launch body and its Idempotency-Key header.</summary>
internal static class LaunchBody
{
    private const int MaxIdempotencyKeyLength = 255;

    public static async Task<(LaunchRequest? Request, ValidationProblem? Problem)> ReadAsync(
        HttpRequest http, ServiceOptions options, CancellationToken ct)
    {
        if (http.ContentLength > options.MaxRequestBodyBytes)
            throw new BadHttpRequestException($"The body is larger than {options.MaxRequestBodyBytes} bytes.", StatusCodes.Status413PayloadTooLarge);
        if (http.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = options.MaxRequestBodyBytes;

        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(http.Body, default, ct);
        }
        catch (JsonException ex)
        {
            return (null, Problems.Validation(new Dictionary<string, string[]> { [""] = [$"The body is not valid JSON: {ex.Message}"] },
                "Send a JSON object (Content-Type: application/json)."));
        }

        using (document)
        {
            var errors = new Dictionary<string, string[]>();
            var request = LaunchRequestParser.Parse(document.RootElement, options.MaxInstancesPerLaunch, errors);
            return request is null ? (null, Problems.Validation(errors)) : (request, null);
        }
    }

    /// <summary>The Idempotency-Key header: an sf-string ("…") or a bare token of printable ASCII.</summary>
    public static (string? Key, ValidationProblem? Problem) IdempotencyKey(HttpRequest http)
    {
        var values = http.Headers["Idempotency-Key"];
        if (values.Count == 0) return (null, null);
        var key = values.Count == 1 ? values[0]!.Trim() : null;
        if (key is { Length: >= 2 } && key[0] == '"' && key[^1] == '"') key = key[1..^1];
        if (string.IsNullOrEmpty(key) || key.Length > MaxIdempotencyKeyLength || key.Any(c => c is < ' ' or > '~'))
        {
            return (null, Problems.Validation(new Dictionary<string, string[]>
            {
                ["Idempotency-Key"] = [$"Must be one value of 1 to {MaxIdempotencyKeyLength} printable ASCII characters."],
            }));
        }
        return (key, null);
    }
}
