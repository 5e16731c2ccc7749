using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace JobTemplateService.Runs;

internal abstract record LaunchResult
{
    /// <summary>A new launch (or a replay whose original answer was lost): the run as it is now.</summary>
    public sealed record Launched(RunResource Run) : LaunchResult;

    /// <summary>An answer already stored for this idempotency key, or a stored error.</summary>
    public sealed record Stored(int Status, string Body, bool Replayed) : LaunchResult;

    /// <summary>Rejected before anything was recorded.</summary>
    public sealed record Failed(ProblemHttpResult Problem, TimeSpan? RetryAfter) : LaunchResult;
}

/// <summary>A problem serialized the way it is stored for replay.</summary>
internal sealed record ProblemHttpResultBody(int Status, string Json)
{
    public static ProblemHttpResultBody From(ProblemHttpResult result) =>
        new(result.StatusCode, JsonSerializer.Serialize(result.ProblemDetails, JobTemplateService.Common.Json.Options));
}
