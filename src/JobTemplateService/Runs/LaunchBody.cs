using System.Text.Json;
using JobTemplateService.Common;
using JobTemplateService.Security;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace JobTemplateService.Runs;

/// <summary>Reads and checks a launch body and its Idempotency-Key header.</summary>
internal static class LaunchBody
{
    private const int MaxIdempotencyKeyLength = 255;

    public static async Task<(LaunchRequest? Request, ValidationProblem? Problem)> ReadAsync(
        HttpRequest http, ServiceOptions options, CallbackTargetPolicy callbacks, CancellationToken ct)
    {
        if (http.ContentLength > options.MaxRequestBodyBytes)
            throw new BadHttpRequestException($"The body is larger than {options.MaxRequestBodyBytes} bytes.", StatusCodes.Status413PayloadTooLarge);
        if (http.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = options.MaxRequestBodyBytes;

        // A form or text/plain post needs no CORS preflight: only JSON may launch (or plan).
        if (!http.HasJsonContentType())
            throw new BadHttpRequestException("Send the body as JSON (Content-Type: application/json).", StatusCodes.Status415UnsupportedMediaType);
        using var buffer = await ReadBoundedAsync(http.Body, options.MaxRequestBodyBytes, ct);
        if (!System.Text.Unicode.Utf8.IsValid(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)))
            return (null, NotJson("The body is not valid UTF-8."));
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
        }
        catch (JsonException ex)
        {
            return (null, NotJson($"The body is not valid JSON: {ex.Message}"));
        }

        using (document)
        {
            var errors = new Dictionary<string, string[]>();
            var request = LaunchRequestParser.Parse(document.RootElement, options.MaxInstancesPerLaunch, errors);
            if (request?.CallbackUrl is { } url && await callbacks.CheckAsync(new Uri(url), ct) is { } refusal)
                errors["callback-url"] = [$"'callback-url' is refused: {refusal}."];
            return errors.Count > 0 ? (null, Problems.Validation(errors)) : (request, null);
        }
    }

    /// <summary>The body, refused with 413 past the limit even where the server does not enforce it.</summary>
    private static async Task<MemoryStream> ReadBoundedAsync(Stream body, long limit, CancellationToken ct)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit)
                throw new BadHttpRequestException($"The body is larger than {limit} bytes.", StatusCodes.Status413PayloadTooLarge);
            await buffer.WriteAsync(chunk.AsMemory(0, read), ct);
        }
        return buffer;
    }

    private static ValidationProblem NotJson(string error) =>
        Problems.Validation(new Dictionary<string, string[]> { [""] = [error] }, "Send a JSON object (Content-Type: application/json).");

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
