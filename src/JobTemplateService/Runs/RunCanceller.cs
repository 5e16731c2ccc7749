using JobTemplateService.Instances;

namespace JobTemplateService.Runs;

/// <summary>
/// Cancels a run: instances that never reached the platform end CANCELED at once; the others are
/// marked for stopping and the monitor stops them (stop, then force-stop after the grace period),
/// records their metrics and ends them CANCELED.
/// </summary>
internal sealed class RunCanceller(CancelRepository cancels, ILogger<RunCanceller> logger)
{
    public async Task<CancelOutcome> CancelAsync(Guid runId, CancellationToken ct)
    {
        var before = await cancels.RequestAsync(runId, ct);
        if (before is null) return CancelOutcome.NotFound;
        if (RunStates.IsTerminal(before)) return CancelOutcome.AlreadyFinished;
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["RunId"] = runId });
        logger.LogInformation("Cancel requested for run {RunId}", runId);
        return CancelOutcome.Canceling;
    }
}

internal enum CancelOutcome { NotFound, AlreadyFinished, Canceling }
