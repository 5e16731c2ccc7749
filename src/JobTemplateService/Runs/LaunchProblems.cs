using System.Diagnostics;
using JobTemplateService.Common;
using JobTemplateService.Templates;
using Microsoft.AspNetCore.Http.HttpResults;

namespace JobTemplateService.Runs;

/// <summary>How the API answers a refused launch, and how a plan lists the same refusal.</summary>
internal static class LaunchProblems
{
    public static ProblemHttpResult For(LaunchRefusal refusal) => refusal switch
    {
        LaunchRefusal.NoTemplate r => Problems.NoTemplate(r.SourceType, r.TargetType),
        LaunchRefusal.InvalidParameters r => Problems.Parameters(r.Errors, r.Detail),
        LaunchRefusal.PlatformNotConfigured r => Problems.PlatformNotConfigured(r.Platform),
        LaunchRefusal.PlatformUnavailable r => Problems.Problem(StatusCodes.Status503ServiceUnavailable, "platform-unavailable",
            "The platform is unavailable.", $"{r.Platform} is failing; a launch now would be refused."),
        LaunchRefusal.IdempotencyMismatch r => Problems.IdempotencyMismatch(r.KeyKind),
        LaunchRefusal.InFlight => Problems.IdempotencyInFlight(),
        LaunchRefusal.Forbidden r => TemplateAccess.Forbidden(r.PatternName),
        LaunchRefusal.TemplateDisabled r => TemplateAccess.Disabled(r.PatternName),
        _ => throw new UnreachableException($"No problem for {refusal}."),
    };

    /// <summary>The problem the launch would answer, its parameter errors (if any) as their own field.</summary>
    public static PlanProblem ForPlan(LaunchRefusal refusal)
    {
        var problem = For(refusal);
        var details = problem.ProblemDetails;
        return new PlanProblem(problem.StatusCode, details.Type!, details.Title!, details.Detail!,
            (refusal as LaunchRefusal.InvalidParameters)?.Errors);
    }
}
