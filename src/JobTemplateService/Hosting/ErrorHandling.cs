using JobTemplateService.Common;
using JobTemplateService.Platform;
using JobTemplateService.Templates;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Polly.CircuitBreaker;

namespace JobTemplateService.Hosting;

/// <summary>
/// Maps the exceptions a caller can act on to problem+json: a platform or database that cannot be
/// reached is 503 with Retry-After; a malformed or oversized body keeps its 4xx. Anything else
/// falls through to the default 500 problem, without internals.
/// </summary>
internal sealed class ServiceExceptionHandler(IProblemDetailsService problems, ILogger<ServiceExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        var (status, slug, title, detail, retryAfter) = exception switch
        {
            PlatformUnavailableException e => (503, "platform-unavailable", "The platform is unavailable.", e.Message, e.RetryAfter),
            BrokenCircuitException => (503, "platform-unavailable", "The platform is unavailable.",
                "Calls to the platform are paused after repeated failures.", TimeSpan.FromSeconds(10)),
            NpgsqlException e when IsUnavailable(e) => (503, "database-unavailable", "The database is unavailable.",
                "The service cannot reach its database right now; nothing was changed by this request if it failed before answering.",
                TimeSpan.FromSeconds(5)),
            TemplateCatalogChangingException e => (503, "templates-changing", "The templates are being changed.", e.Message,
                TimeSpan.FromSeconds(1)),
            TimeoutException => (503, "database-unavailable", "The database is unavailable.",
                "The database did not answer in time.", TimeSpan.FromSeconds(5)),
            BadHttpRequestException { StatusCode: 413 } e => (413, "too-large", "The request body is too large.", e.Message, (TimeSpan?)null),
            BadHttpRequestException { StatusCode: 415 } e => (415, "unsupported-media-type", "The body's media type is not supported.", e.Message, null),
            BadHttpRequestException e => (e.StatusCode, "bad-request", "The request is malformed.", e.Message, null),
            _ => (0, "", "", "", null),
        };
        if (status == 0) return false;

        if (status >= 500) logger.LogWarning("{Title} {Detail} ({Exception})", title, detail, exception.GetType().Name);
        http.Response.StatusCode = status;
        if (retryAfter is { } delay) http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(delay.TotalSeconds)).ToString();
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails = new ProblemDetails { Status = status, Type = Problems.TypePrefix + slug, Title = title, Detail = detail },
        });
    }

    private static bool IsUnavailable(NpgsqlException exception) =>
        exception is not PostgresException || exception.IsTransient;
}
