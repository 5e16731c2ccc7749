using JobTemplateService.Common;
using JobTemplateService.Platform;
using JobTemplateService.Templates;

namespace JobTemplateService.Instances;

/// <summary>
/// How a finished job ends its instance. A stop the service asked for decides first: a cancel ends
/// it CANCELED (a streaming instance that then ended cleanly: STOPPED, its healthy end), a max
/// wait TIMED_OUT, a stall FAILED. Otherwise the platform's verdict decides, and a healthy end that
/// breaks a success criterion is FAILED, naming the criteria and the numbers.
/// </summary>
internal static class InstanceOutcome
{
    public static (string State, string? Error, string? MetricsError, IReadOnlyList<CriterionBreach> Breaches) Decide(
        ClaimedInstance instance, JobStatusReport? report, JobResult? result, string? missing)
    {
        var platformSucceeded = missing is null && (report?.Succeeded ?? result?.Succeeded) == true;
        var state = instance.StopReason switch
        {
            "CANCEL" when instance.Streaming && platformSucceeded => InstanceStates.Stopped,
            "CANCEL" => InstanceStates.Canceled,
            "TIMEOUT" => InstanceStates.TimedOut,
            "STALL" => InstanceStates.Failed,
            _ when platformSucceeded => InstanceStates.Succeeded,
            _ => InstanceStates.Failed,
        };
        var breaches = InstanceStates.IsHealthy(state)
            ? instance.Criteria.Check(result?.InputRecords, result?.OutputRecords, result?.ErrorRecords) : [];
        if (breaches.Count > 0) state = InstanceStates.Failed;
        var error = state switch
        {
            InstanceStates.Succeeded or InstanceStates.Stopped => null,
            _ when breaches.Count > 0 => string.Join("; ", breaches.Select(b => b.Message)),
            InstanceStates.Canceled => "Canceled on request.",
            InstanceStates.TimedOut => $"Did not finish within the template's max wait of {instance.MaxWait}; force-stopped.",
            _ when instance.StopReason == "STALL" => StallMessage(instance.StallAfter),
            _ => missing ?? result?.ErrorMessage ?? report?.ErrorMessage ?? $"Finished with status {report?.Status ?? "unknown"}.",
        };
        // The metrics row's error_message: the criteria or the stall when they decided, else what the platform said.
        var metricsError = breaches.Count > 0 || instance.StopReason == "STALL" ? error
            : result?.ErrorMessage ?? (InstanceStates.IsHealthy(state) ? null : error);
        return (state, error, metricsError, breaches);
    }

    /// <summary>"stalled: no records for 15 min".</summary>
    public static string StallMessage(TimeSpan? stallAfter) => $"stalled: no records for {Durations.Describe(stallAfter ?? TimeSpan.Zero)}";
}
