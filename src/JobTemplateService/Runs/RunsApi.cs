using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using JobTemplateService.Common;
using JobTemplateService.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Serilog;

namespace JobTemplateService.Runs;

internal static class RunsApi
{
    public static IEndpointRouteBuilder MapRunsApi(this IEndpointRouteBuilder app)
    {
        var runs = app.MapGroup("/v1/runs").WithTags("Runs").RequireRateLimiting(SecurityRegistration.RateLimitPolicy);
        runs.MapPost("/", LaunchRun).WithName(nameof(LaunchRun)).RequireAuthorization(Scopes.Launch)
            .WithSummary("Launch a run: one job instance per runtime-parameters entry.")
            .Accepts<LaunchRequest>("application/json").Produces<RunResource>(StatusCodes.Status202Accepted);
        runs.MapGet("/{runId:guid}", GetRun).WithName(nameof(GetRun)).RequireAuthorization(Scopes.Read)
            .WithSummary("A run with its instances and their metrics.");
        runs.MapGet("/", ListRuns).WithName(nameof(ListRuns)).RequireAuthorization(Scopes.Read)
            .WithSummary("Runs, newest first, filtered and cursor-paginated.");
        runs.MapRunControl();
        runs.MapInstanceLog();
        runs.MapRelaunch();
        runs.MapInstanceMetrics();

        app.MapPost("/streamsets/job-template-runner", LaunchRunCompatible).WithTags("Runs").WithName(nameof(LaunchRunCompatible))
            .RequireAuthorization(Scopes.Launch).RequireRateLimiting(SecurityRegistration.RateLimitPolicy)
            .WithSummary("The original service's launch endpoint: same body; success answers 200 with \"status\": \"OK\" and the run.")
            .Accepts<LaunchRequest>("application/json").Produces<JsonObject>(StatusCodes.Status200OK);
        return app;
    }

    public static async Task<Results<Accepted<RunResource>, StoredJson, ProblemHttpResult, ValidationProblem>> LaunchRun(
        HttpRequest http, RunLauncher launcher, IOptions<ServiceOptions> options, CallbackTargetPolicy callbacks, CancellationToken ct)
    {
        var (result, problem) = await LaunchAsync(http, launcher, options.Value, callbacks, ct);
        if (problem is not null) return problem;
        return result switch
        {
            // The answer just stored for the key, byte for byte: serialized once.
            LaunchResult.Launched { Json: { } json } launched => new StoredJson(StatusCodes.Status202Accepted, json, false, launched.Run.Links.Self),
            LaunchResult.Launched launched => TypedResults.Accepted(launched.Run.Links.Self, launched.Run),
            LaunchResult.Stored stored => new StoredJson(stored.Status, stored.Body, stored.Replayed, LocationOf(stored.Body)),
            LaunchResult.Failed failed => Problem(http, failed.Refusal),
            _ => throw new InvalidOperationException(),
        };
    }

    public static async Task<Results<Ok<JsonObject>, StoredJson, ProblemHttpResult, ValidationProblem>> LaunchRunCompatible(
        HttpRequest http, RunLauncher launcher, IOptions<ServiceOptions> options, CallbackTargetPolicy callbacks, CancellationToken ct)
    {
        var (result, problem) = await LaunchAsync(http, launcher, options.Value, callbacks, ct);
        if (problem is not null) return problem;
        switch (result)
        {
            case LaunchResult.Launched launched:
                http.HttpContext.Response.Headers.Location = launched.Run.Links.Self;
                return TypedResults.Ok(WithStatusOk(JsonSerializer.SerializeToNode(launched.Run, Json.Options)!.AsObject()));
            case LaunchResult.Stored { Status: < 300 } stored:
                http.HttpContext.Response.Headers.Location = LocationOf(stored.Body);
                if (stored.Replayed) http.HttpContext.Response.Headers["Idempotent-Replayed"] = "true";
                return TypedResults.Ok(WithStatusOk(JsonNode.Parse(stored.Body)!.AsObject()));
            case LaunchResult.Stored stored:
                return new StoredJson(stored.Status, stored.Body, stored.Replayed, null);
            case LaunchResult.Failed failed:
                return Problem(http, failed.Refusal);
            default:
                throw new InvalidOperationException();
        }
    }

    public static async Task<Results<Ok<RunResource>, ProblemHttpResult>> GetRun(Guid runId, RunRepository runs,
        IDiagnosticContext diagnostics, ClaimsPrincipal user, CancellationToken ct)
    {
        var run = await runs.GetAsync(runId, ct);
        if (run is null || !RunVisibility.CanSee(user, run.RequestedBy)) return Problems.NotFound("run", runId.ToString());
        RequestLog.Run(diagnostics, runId, run.UserRunId);
        return TypedResults.Ok(run);
    }

    public static async Task<Results<Ok<RunPage>, ValidationProblem>> ListRuns([AsParameters] RunListQuery query,
        RunRepository runs, ClaimsPrincipal user, CancellationToken ct)
    {
        var errors = query.Validate(out var filter);
        if (errors.Count > 0) return Problems.Validation(errors);
        var (page, next) = await runs.ListAsync(filter! with { RequestedBy = RunVisibility.OwnerFilter(user) }, ct);
        return TypedResults.Ok(new RunPage(page, next?.ToString(), next is null ? null : query.NextLink(next.Value)));
    }

    /// <summary>The part both launch endpoints share: read and check the request, launch, log.</summary>
    private static async Task<(LaunchResult? Result, ValidationProblem? Problem)> LaunchAsync(
        HttpRequest http, RunLauncher launcher, ServiceOptions options, CallbackTargetPolicy callbacks, CancellationToken ct)
    {
        var (key, keyProblem) = LaunchBody.IdempotencyKey(http);
        if (keyProblem is not null) return (null, keyProblem);
        var (request, problem) = await LaunchBody.ReadAsync(http, options, callbacks, ct);
        if (problem is not null) return (null, problem);

        var result = await launcher.LaunchAsync(request!, CallerContext.For(http.HttpContext, key), ct);
        RequestLog.Launch(http.HttpContext, request!, result);
        return (result, null);
    }

    private static JsonObject WithStatusOk(JsonObject run)
    {
        // The original answered {"status": "OK"}; callers that check it keep working.
        var result = new JsonObject { ["status"] = "OK" };
        foreach (var (name, value) in run.ToList())
        {
            run.Remove(name);
            result[name] = value;
        }
        return result;
    }

    private static string? LocationOf(string body)
    {
        using var document = JsonDocument.Parse(body);
        return document.RootElement.TryGetProperty("links", out var links) && links.TryGetProperty("self", out var self)
            ? self.GetString() : null;
    }

    private static ProblemHttpResult Problem(HttpRequest http, LaunchRefusal refusal)
    {
        if (refusal is LaunchRefusal.InFlight { RetryAfter: var retryAfter })
            http.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString();
        return LaunchProblems.For(refusal);
    }
}
