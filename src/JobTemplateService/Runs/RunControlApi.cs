using JobTemplateService.Common;
using JobTemplateService.Instances;
using JobTemplateService.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace JobTemplateService.Runs;

/// <summary>What a caller does with a run besides launching it: wait for its outcome, cancel it, plan a launch.</summary>
internal static class RunControlApi
{
    public static RouteGroupBuilder MapRunControl(this RouteGroupBuilder runs)
    {
        runs.MapGet("/{runId:guid}/outcome", GetRunOutcome).WithName(nameof(GetRunOutcome)).RequireAuthorization(Scopes.Read)
            .WithSummary("Wait up to ?wait= seconds for the run to finish: 200 succeeded, 202 still running, 422 ended badly.")
            .Produces<RunResource>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        runs.MapPost("/{runId:guid}/cancel", CancelRun).WithName(nameof(CancelRun)).RequireAuthorization(Scopes.Launch)
            .WithSummary("Stop every unfinished instance; they end CANCELED (with their metrics).");
        runs.MapPost("/plan", PlanRun).WithName(nameof(PlanRun)).RequireAuthorization(Scopes.Read)
            .WithSummary("Dry run: the template, why it matched, each merged parameter set with origins, and every problem. Launches nothing.")
            .Accepts<LaunchRequest>("application/json").ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return runs;
    }

    public static async Task<Results<Ok<RunResource>, Accepted<RunResource>, ProblemHttpResult, ValidationProblem>> GetRunOutcome(
        Guid runId, [FromQuery(Name = "wait")] int? wait, RunRepository runs, RunCompletionNotifier notifier,
        IOptions<ServiceOptions> options, HttpContext http, TimeProvider time, CancellationToken ct)
    {
        var max = (int)options.Value.MaxOutcomeWait.TotalSeconds;
        if (wait is < 0 || wait > max)
            return Problems.Validation(new Dictionary<string, string[]> { ["wait"] = [$"Must be 0 to {max} seconds."] });

        using var waiter = notifier.Subscribe(runId);
        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(wait ?? 0);
        var run = await runs.GetAsync(runId, ct);
        if (run is not null && !RunVisibility.CanSee(http.User, run.RequestedBy)) run = null;
        while (run is not null && !RunStates.IsTerminal(run.State) && await waiter.WaitAsync(deadline - time.GetUtcNow(), ct))
        {
            run = await runs.GetAsync(runId, ct);
        }

        if (run is null) return Problems.NotFound("run", runId.ToString());
        if (RunOutcome.EndedWell(run.State)) return TypedResults.Ok(run);
        if (RunStates.IsTerminal(run.State)) return RunOutcome.Problem(run);
        http.Response.Headers.RetryAfter = Math.Clamp(wait ?? 5, 1, 30).ToString();
        return TypedResults.Accepted(run.Links.Outcome, run);
    }

    public static async Task<Results<Accepted<RunResource>, ProblemHttpResult>> CancelRun(
        Guid runId, RunCanceller canceller, RunRepository runs, System.Security.Claims.ClaimsPrincipal user, CancellationToken ct)
    {
        if (RunVisibility.OwnerFilter(user) is not null && (await runs.GetAsync(runId, ct) is not { } owned || !RunVisibility.CanSee(user, owned.RequestedBy)))
            return Problems.NotFound("run", runId.ToString());
        switch (await canceller.CancelAsync(runId, ct))
        {
            case CancelOutcome.NotFound:
                return Problems.NotFound("run", runId.ToString());
            case CancelOutcome.AlreadyFinished:
                var finished = await runs.GetAsync(runId, ct);
                return Problems.Problem(StatusCodes.Status409Conflict, "run-finished", "The run has already finished.",
                    $"Run {runId} ended {finished?.State}; there is nothing to cancel.");
            default:
                var run = (await runs.GetAsync(runId, ct))!;
                return TypedResults.Accepted(run.Links.Self, run);
        }
    }

    public static async Task<Results<Ok<LaunchPlan>, ProblemHttpResult, ValidationProblem>> PlanRun(
        HttpRequest http, LaunchPlanner planner, IOptions<ServiceOptions> options, CallbackTargetPolicy callbacks, CancellationToken ct)
    {
        var (key, keyProblem) = LaunchBody.IdempotencyKey(http);
        if (keyProblem is not null) return keyProblem;
        var (request, problem) = await LaunchBody.ReadAsync(http, options.Value, callbacks, ct);
        if (problem is not null) return problem;
        var plan = await planner.PlanAsync(request!, CallerContext.For(http.HttpContext, key), ct);
        // A template the key may not use, or a disabled one, has no plan: the answer is the launch's refusal.
        if (plan.Refusals.FirstOrDefault(r => r is LaunchRefusal.Forbidden or LaunchRefusal.TemplateDisabled) is { } refusal)
            return LaunchProblems.For(refusal);
        return TypedResults.Ok(new LaunchPlan(plan.Refusals.Count == 0, plan.Template, plan.Reason, plan.Instances,
            plan.Refusals.Select(LaunchProblems.ForPlan).ToList(), plan.ExistingRunId) { Warnings = plan.Warnings });
    }
}

internal static class RunOutcome
{
    /// <summary>
    /// The outcome endpoint's answer for each way a run ends: 200 when it ended well (SUCCEEDED, or
    /// STOPPED: streaming instances stopped on request that ended cleanly), else a 422 problem of
    /// this type. A test checks that every terminal run state is here.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, (int Status, string? ProblemType)> ByState = new Dictionary<string, (int, string?)>
    {
        [RunStates.Succeeded] = (StatusCodes.Status200OK, null),
        [RunStates.Stopped] = (StatusCodes.Status200OK, null),
        [RunStates.Failed] = (StatusCodes.Status422UnprocessableEntity, "run-failed"),
        [RunStates.Canceled] = (StatusCodes.Status422UnprocessableEntity, "run-canceled"),
        [RunStates.TimedOut] = (StatusCodes.Status422UnprocessableEntity, "run-timed-out"),
    };

    public static bool EndedWell(string state) => ByState.TryGetValue(state, out var answer) && answer.Status == StatusCodes.Status200OK;

    /// <summary>A run that ended badly, as a problem that names every instance that did not end well.</summary>
    public static ProblemHttpResult Problem(RunResource run)
    {
        var bad = run.Instances.Where(i => !InstanceStates.IsHealthy(i.State)).ToList();
        var detail = $"Run {run.RunId} ({run.UserRunId}) ended {run.State}: " + string.Join("; ", bad.Select(i =>
            $"instance {i.Index} ({i.Name ?? i.PlatformJobId ?? i.InstanceId.ToString()}) {i.State}" + (i.Error is null ? "" : $": {i.Error}")));
        var (status, type) = ByState[run.State];
        return Problems.Problem(status, type!,
            $"The run ended {run.State}.", detail, new()
            {
                ["run-id"] = run.RunId, ["state"] = run.State,
                ["instances"] = bad.Select(i => new FailedInstance(i.Index, i.InstanceId, i.PlatformJobId, i.Name, i.State, i.Error)).ToList(),
            });
    }
}

public sealed record FailedInstance(int Index, Guid InstanceId, string? PlatformJobId, string? Name, string State, string? Error);
