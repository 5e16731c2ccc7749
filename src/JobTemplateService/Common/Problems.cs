using Microsoft.AspNetCore.Http.HttpResults;

namespace JobTemplateService.Common;

/// <summary>
/// Every error the API returns, as RFC 9457 problem details. The type is a stable relative URI
/// callers can switch on; the README lists them all.
/// </summary>
internal static class Problems
{
    public const string TypePrefix = "/problems/";

    public static ValidationProblem Validation(IDictionary<string, string[]> errors, string? detail = null) =>
        TypedResults.ValidationProblem(errors, detail, type: TypePrefix + "validation",
            title: "The request is invalid.");

    public static ProblemHttpResult NoTemplate(string sourceType, string targetType) =>
        Problem(StatusCodes.Status422UnprocessableEntity, "no-template", "No job template matches.",
            $"No ingestion pattern maps source-type '{sourceType}' to target-type '{targetType}'.");

    public static ProblemHttpResult Parameters(IDictionary<string, string[]> errors, string detail) =>
        Problem(StatusCodes.Status422UnprocessableEntity, "parameters", "The runtime parameters do not fit the template.",
            detail, new() { ["errors"] = errors });

    public static ProblemHttpResult PlatformRejected(string platform, string? code, string message) =>
        Problem(StatusCodes.Status502BadGateway, "platform-rejected", "The platform rejected the launch.",
            code is null ? message : $"{code} - {message}",
            new() { ["platform"] = platform, ["platform-code"] = code, ["platform-message"] = message });

    public static ProblemHttpResult PlatformNotConfigured(string platform) =>
        Problem(StatusCodes.Status503ServiceUnavailable, "platform-not-configured", "The template's platform is not configured.",
            $"The template runs on '{platform}', which this service has no configuration for.");

    public static ProblemHttpResult NotFound(string what, string id) =>
        Problem(StatusCodes.Status404NotFound, "not-found", $"No such {what}.", $"There is no {what} '{id}'.");

    public static ProblemHttpResult IdempotencyInFlight() =>
        Problem(StatusCodes.Status409Conflict, "idempotency-in-flight", "The same launch is still being processed.",
            "A request with this idempotency key is still in flight; retry after it finishes.");

    public static ProblemHttpResult IdempotencyMismatch(string keyKind) =>
        Problem(StatusCodes.Status422UnprocessableEntity, "idempotency-mismatch", "The idempotency key was used with a different request.",
            keyKind == "header"
                ? "This Idempotency-Key was already used with a different request body."
                : "A launch with the same user-id, user-run-id, source-type and target-type but a different body exists; use a new user-run-id or an Idempotency-Key.");

    /// <summary>Problems written by the framework (401, 403, an unmatched route) get stable types too.</summary>
    public static void Customize(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        problem.Extensions.TryAdd("trace-id", context.HttpContext.TraceIdentifier);
        if (problem.Type is not null && problem.Type.StartsWith(TypePrefix, StringComparison.Ordinal)) return;
        (problem.Type, problem.Title, problem.Detail) = problem.Status switch
        {
            401 => (TypePrefix + "unauthorized", "An API key is required.",
                problem.Detail ?? "Send a valid, unrevoked API key as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'."),
            403 => (TypePrefix + "forbidden", "The API key lacks the scope this endpoint needs.", problem.Detail),
            404 => (TypePrefix + "not-found", "Not found.", problem.Detail ?? "No such resource."),
            405 => (TypePrefix + "method-not-allowed", "Method not allowed.", problem.Detail),
            415 => (TypePrefix + "unsupported-media-type", "The body's media type is not supported.",
                problem.Detail ?? "Send the body as JSON (Content-Type: application/json)."),
            500 => (TypePrefix + "internal", "The service failed.", problem.Detail),
            _ => (problem.Type, problem.Title, problem.Detail),
        };
    }

    public static ProblemHttpResult Problem(int status, string slug, string title, string detail,
        Dictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail, statusCode: status, title: title, type: TypePrefix + slug, extensions: extensions);
}
