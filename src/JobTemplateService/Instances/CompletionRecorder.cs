using JobTemplateService.Common;
using JobTemplateService.Platform;
using Microsoft.Extensions.Options;

namespace JobTemplateService.Instances;

/// <summary>
/// Turns a finished platform job into its terminal state and metrics row, then (only then)
/// deletes the job on the platform when the template asks for it.
/// </summary>
internal sealed class CompletionRecorder(CompletionRepository completions, LeaseRepository leases, InstanceRepository instances,
    ReplicaIdentity replica,
    IOptions<MonitorOptions> options, TimeProvider time, ServiceTelemetry telemetry, ILogger<CompletionRecorder> logger)
{
    public async Task RecordAsync(IJobPlatform platform, ClaimedInstance instance, JobStatusReport? report, CancellationToken ct)
    {
        JobResult? result = null;
        string? missing = null;
        try
        {
            result = await platform.GetResultAsync(instance.PlatformJobId!, ct);
        }
        catch (PlatformJobNotFoundException)
        {
            missing = $"{platform.Name} no longer has job {instance.PlatformJobId}; it was deleted outside the service.";
        }

        if (report is null && missing is null && result?.Succeeded is null && instance.StopReason is null)
        {
            // The status call did not mention the job, yet the job exists and has not finished: poll again.
            await leases.ReleaseAsync(replica.Id, [new Release(instance.Lease, options.Value.RetryDelay)], ct);
            return;
        }

        var finalState = instance.StopReason switch
        {
            "CANCEL" => InstanceStates.Canceled,
            "TIMEOUT" => InstanceStates.TimedOut,
            _ when missing is null && (report?.Succeeded ?? result?.Succeeded) == true => InstanceStates.Succeeded,
            _ => InstanceStates.Failed,
        };
        var error = finalState switch
        {
            InstanceStates.Succeeded => null,
            InstanceStates.Canceled => "Canceled on request.",
            InstanceStates.TimedOut => $"Did not finish within the template's max wait of {instance.MaxWait}; force-stopped.",
            _ => missing ?? result?.ErrorMessage ?? report?.ErrorMessage ?? $"Finished with status {report?.Status ?? "unknown"}.",
        };
        var cleanup = instance.DeleteAfterCompletion && instance.PlatformJobId is not null && missing is null;
        var written = await completions.CompleteAsync(replica.Id, instance,
            new Completion(finalState, error, result, cleanup, options.Value.RetryDelay), ct);
        if (!written)
        {
            logger.LogWarning("Lease on instance {InstanceId} was lost before its completion was recorded", instance.InstanceId);
            return;
        }

        telemetry.InstanceFinished(finalState);
        if (result?.FinishTime is { } finished) telemetry.CompletionDelay(time.GetUtcNow().UtcDateTime - finished);
        logger.LogInformation("Instance {InstanceId} ({JobId}) finished {State}: {Records}{Error}",
            instance.InstanceId, instance.PlatformJobId, finalState,
            result?.InputRecords is null && result?.OutputRecords is null ? "no record counts"
                : $"{result?.InputRecords ?? 0} in, {result?.OutputRecords ?? 0} out, {result?.ErrorRecords ?? 0} errors",
            error is null ? "" : $"; {error}");
        if (cleanup) await CleanUpAsync(platform, instance with { State = finalState }, ct);
        if (instance.LaunchAttempts >= 2) await RemoveDuplicatesAsync(platform, instance, ct);
    }

    /// <summary>
    /// An instance started twice (the first start's answer was lost) may have a twin on the
    /// platform that the first start created late. Once no instance of the run is still waiting
    /// to be adopted, every job carrying the run's tag that no instance owns is stopped and deleted.
    /// </summary>
    private async Task RemoveDuplicatesAsync(IJobPlatform platform, ClaimedInstance instance, CancellationToken ct)
    {
        try
        {
            if (await instances.UnsettledCountAsync(instance.RunId, ct) > 0) return;
            var found = await platform.FindRunJobsAsync(instance.PlatformTemplateId, instance.RunId, ct);
            if (found is null) return;
            var known = await instances.KnownJobIdsAsync(instance.RunId, ct);
            foreach (var twin in found.Where(j => !known.Contains(j.JobId)))
            {
                await platform.StopAsync(twin.JobId, force: true, ct);
                await platform.DeleteAsync(twin.JobId, ct);
                logger.LogWarning("Stopped and deleted job {JobId}: a duplicate of run {RunId} created by a start whose answer was lost",
                    twin.JobId, instance.RunId);
            }
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Looking for duplicate jobs of run {RunId} failed", instance.RunId);
        }
    }

    public async Task CleanUpAsync(IJobPlatform platform, ClaimedInstance instance, CancellationToken ct)
    {
        try
        {
            await platform.DeleteAsync(instance.PlatformJobId!, ct);
            await completions.ClearCleanupAsync(replica.Id, instance.Lease, ct);
            logger.LogInformation("Deleted job {JobId} on {Platform} after reading its metrics", instance.PlatformJobId, platform.Name);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            // The instance stays marked; a later pass (on any replica) deletes it.
            logger.LogWarning(ex, "Could not delete job {JobId} on {Platform}; will retry", instance.PlatformJobId, platform.Name);
        }
    }
}
