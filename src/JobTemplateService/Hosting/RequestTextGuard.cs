using JobTemplateService.Common;
using Microsoft.AspNetCore.Mvc;

namespace JobTemplateService.Hosting;

/// <summary>
/// Refuses, before anything reads them, paths and query strings whose decoded text holds control
/// characters (%00, %0d%0a, …): PostgreSQL cannot store NUL, and a line break echoed into a header
/// or a log line forges one. Kestrel itself refuses raw control characters in headers.
/// </summary>
internal static class RequestTextGuard
{
    public static IApplicationBuilder UseRequestTextGuard(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (Problem(http.Request) is not { } where)
        {
            await next(http);
            return;
        }
        http.Response.StatusCode = StatusCodes.Status400BadRequest;
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status400BadRequest, Type = Problems.TypePrefix + "bad-request", Title = "The request is malformed.",
                Detail = $"The {where} contains control characters (such as %00 or a line break); nothing was done.",
            },
        });
    });

    private static string? Problem(HttpRequest request)
    {
        if (!Clean(request.Path.Value)) return "path";
        foreach (var (key, values) in request.Query)
        {
            if (!Clean(key) || values.Any(v => !Clean(v))) return "query string";
        }
        return null;
    }

    private static bool Clean(string? text) => text is null || !text.Any(c => char.IsControl(c) || c is '\u2028' or '\u2029');
}
