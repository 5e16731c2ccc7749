using System.Text.Json;
using JobTemplateService.Common;
using JobTemplateService.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace JobTemplateService.Runs;

/// <summary>POST /v1/runs/{run-id}/relaunch?only=failed: a new run of the instances that ended badly.</summary>
internal static class RelaunchApi
{
    public static RouteGroupBuilder MapRelaunch(this RouteGroupBuilder runs)
    {
        runs.MapPost("/{runId:guid}/relaunch", RelaunchRun).WithName(nameof(RelaunchRun)).RequireAuthorization(Scopes.Launch)
            .WithSummary("Launch again, as a new run naming this one under relaunch-of, the parameter sets of the instances that ended " +
                         "FAILED, TIMED_OUT, START_FAILED or CANCELED. Idempotent per Idempotency-Key (without one, per original run).")
            .Accepts<RelaunchBody>("application/json")
            .Produces<RunResource>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return runs;
    }

    public static async Task<Results<Accepted<RunResource>, StoredJson, ProblemHttpResult, ValidationProblem>> RelaunchRun(
        Guid runId, [FromQuery(Name = "only")] string? only, HttpRequest http, RunRepository runs, RunRelauncher relauncher,
        CancellationToken ct)
    {
        if (only is not (null or "failed"))
            return Problems.Validation(new Dictionary<string, string[]> { ["only"] = ["Only 'failed' is supported."] });
        var (key, keyProblem) = LaunchBody.IdempotencyKey(http);
        if (keyProblem is not null) return keyProblem;
        var (supplied, bodyProblem) = await ReadSuppliedAsync(http, ct);
        if (bodyProblem is not null) return bodyProblem;

        var run = await runs.GetAsync(runId, ct);
        if (run is null || !RunVisibility.CanSee(http.HttpContext.User, run.RequestedBy)) return Problems.NotFound("run", runId.ToString());
        var outcome = await relauncher.RelaunchAsync(run, supplied!, CallerContext.For(http.HttpContext, key), ct);
        return Answer(http.HttpContext, outcome);
    }

    /// <summary>The answer of a relaunch, shared with the console.</summary>
    public static Results<Accepted<RunResource>, StoredJson, ProblemHttpResult, ValidationProblem> Answer(HttpContext http, RelaunchOutcome outcome) =>
        outcome switch
        {
            RelaunchOutcome.NothingFailed nothing => Problems.Problem(StatusCodes.Status409Conflict, "nothing-to-relaunch",
                "No instance of the run ended badly.", $"The run is {nothing.State} and none of its instances ended FAILED, TIMED_OUT, " +
                "START_FAILED or CANCELED; there is nothing to relaunch."),
            RelaunchOutcome.SecretsMissing missing => Problems.Problem(StatusCodes.Status422UnprocessableEntity, "secrets-required",
                "Secrets must be sent again.", "Secret values sent by the caller are never stored; send them in the body: " +
                "{\"runtime-parameters\": {\"<instance index>\": {\"NAME\": \"value\"}}}.", new() { ["errors"] = missing.Errors }),
            RelaunchOutcome.Launched { Result: LaunchResult.Launched launched } =>
                TypedResults.Accepted(launched.Run.Links.Self, launched.Run),
            RelaunchOutcome.Launched { Result: LaunchResult.Stored stored } =>
                new StoredJson(stored.Status, stored.Body, stored.Replayed, stored.Status < 300 ? RunLocation(stored.Body) : null),
            RelaunchOutcome.Launched { Result: LaunchResult.Failed failed } => RefusalProblem(http, failed.Refusal),
            _ => throw new InvalidOperationException(),
        };

    private static ProblemHttpResult RefusalProblem(HttpContext http, LaunchRefusal refusal)
    {
        if (refusal is LaunchRefusal.InFlight { RetryAfter: var retryAfter })
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString();
        return LaunchProblems.For(refusal);
    }

    private static string? RunLocation(string body)
    {
        using var document = JsonDocument.Parse(body);
        return document.RootElement.TryGetProperty("links", out var links) && links.TryGetProperty("self", out var self) ? self.GetString() : null;
    }

    /// <summary>The optional body: secrets to send again, per original instance index.</summary>
    private static async Task<(Dictionary<int, IReadOnlyDictionary<string, string>>? Supplied, ValidationProblem? Problem)> ReadSuppliedAsync(
        HttpRequest http, CancellationToken ct)
    {
        var supplied = new Dictionary<int, IReadOnlyDictionary<string, string>>();
        if (http.ContentLength is 0 || (http.ContentLength is null && http.Headers.TransferEncoding.Count == 0)) return (supplied, null);
        try
        {
            var body = await JsonSerializer.DeserializeAsync<RelaunchBody>(http.Body, Json.Options, ct);
            foreach (var (index, values) in body?.RuntimeParameters ?? new Dictionary<string, Dictionary<string, string>>())
            {
                if (!int.TryParse(index, out var i) || i < 0) throw new JsonException($"'{index}' is not an instance index.");
                supplied[i] = values;
            }
            return (supplied, null);
        }
        catch (JsonException ex)
        {
            return (null, Problems.Validation(new Dictionary<string, string[]> { ["runtime-parameters"] =
                [$"The body is optional; when sent it is {{\"runtime-parameters\": {{\"<instance index>\": {{\"NAME\": \"value\"}}}}}}: {ex.Message}"] }));
        }
    }
}

/// <summary>Secret values to send again, keyed by the original instance's index (they are never stored).</summary>
public sealed record RelaunchBody(IReadOnlyDictionary<string, Dictionary<string, string>>? RuntimeParameters);
