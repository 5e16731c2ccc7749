using System.Text;

namespace JobTemplateService.Runs;

/// <summary>A stored launch answer, written back byte for byte (IETF Idempotency-Key replay).</summary>
internal sealed class StoredJson(int status, string body, bool replayed, string? location) : IResult
{
    public int StatusCode => status;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = status;
        response.ContentType = status < 400 ? "application/json; charset=utf-8" : "application/problem+json; charset=utf-8";
        if (replayed) response.Headers["Idempotent-Replayed"] = "true";
        if (location is not null && status < 300) response.Headers.Location = location;
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(body));
    }
}
