using System.Text.Json;
using JobTemplateService.Templates;
using Microsoft.AspNetCore.Http.HttpResults;

namespace JobTemplateService.Runs;

internal abstract record LaunchResult
{
    /// <summary>
    /// A new launch (or a replay whose original answer was lost): the run as it is now. Json, when
    /// given, is the run already serialized for the idempotency record: the answer is written from it.
    /// </summary>
    public sealed record Launched(RunResource Run, string? Json = null) : LaunchResult;

    /// <summary>An answer already stored for this idempotency key, or a stored error.</summary>
    public sealed record Stored(int Status, string Body, bool Replayed) : LaunchResult;

    /// <summary>Refused before anything was recorded.</summary>
    public sealed record Failed(LaunchRefusal Refusal) : LaunchResult;
}

/// <summary>Why a launch is refused before anything is recorded; a plan lists the same refusals.</summary>
internal abstract record LaunchRefusal
{
    public sealed record NoTemplate(string SourceType, string TargetType) : LaunchRefusal;

    public sealed record InvalidParameters(IDictionary<string, string[]> Errors, string Detail) : LaunchRefusal;

    public sealed record PlatformNotConfigured(string Platform) : LaunchRefusal;

    /// <summary>The platform's circuit is open: a plan lists it; a launch answers 503 through PlatformUnavailableException.</summary>
    public sealed record PlatformUnavailable(string Platform) : LaunchRefusal;

    /// <summary>The key was used with a different request (KeyKind: header or natural).</summary>
    public sealed record IdempotencyMismatch(string KeyKind) : LaunchRefusal;

    /// <summary>The same launch is still being processed; ask again after RetryAfter.</summary>
    public sealed record InFlight(TimeSpan RetryAfter) : LaunchRefusal;

    /// <summary>The caller's API key is limited to other templates.</summary>
    public sealed record Forbidden(string PatternName) : LaunchRefusal;

    /// <summary>The template is disabled.</summary>
    public sealed record TemplateDisabled(string PatternName) : LaunchRefusal;

    /// <summary>Why this caller may not launch this template at all (forbidden before disabled), or null.</summary>
    public static LaunchRefusal? ForTemplate(JobTemplate template, LaunchCaller caller) =>
        !TemplateAccess.Allows(caller.Templates, template) ? new Forbidden(template.PatternName)
        : !template.Enabled ? new TemplateDisabled(template.PatternName) : null;
}

/// <summary>A problem serialized the way it is stored for replay.</summary>
internal sealed record ProblemHttpResultBody(int Status, string Json)
{
    public static ProblemHttpResultBody From(ProblemHttpResult result) =>
        new(result.StatusCode, JsonSerializer.Serialize(result.ProblemDetails, JobTemplateService.Common.Json.Options));
}
