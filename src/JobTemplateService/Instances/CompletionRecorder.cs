using JobTemplateService.Common;
using JobTemplateService.Platform;
using Microsoft.Extensions.Options;

namespace JobTemplateService.Instances;

/// <summary>
/// Turns a finished platform job into its terminal state and metrics row, then (only then)
/// deletes the job on the platform when the template asks for it. Deletion, and the removal of
/// twins a lost start answer left behind, stay marked on the instance (cleanup_pending) until
/// they succeed, so a failure is retried on a later pass, by any replica.
/// </summary>
internal sealed class CompletionRecorder(CompletionRepository completions, LeaseRepository leases, InstanceRepository instances,
    ReplicaIdentity replica,
    IOptions<MonitorOptions> options, TimeProvider time, ServiceTelemetry telemetry, ILogger<CompletionRecorder> logger)
{
    /// <summary>Records the completion; returns the instance, in its final state, when its clean-up is still to do (<see cref="CleanUpAsync"/>).</summary>
    public async Task<ClaimedInstance?> RecordAsync(IJobPlatform platform, ClaimedInstance instance, JobStatusReport? report, CancellationToken ct)
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
            return null;
        }

        var (finalState, error, metricsError, breaches) = InstanceOutcome.Decide(instance, report, result, missing);
        // A second start after an unclear first one may have left twins on the platform: the run is swept for them.
        var cleanup = (instance.DeleteAfterCompletion && instance.PlatformJobId is not null && missing is null) || instance.LaunchAttempts >= 2;
        var written = await completions.CompleteAsync(replica.Id, instance,
            new Completion(finalState, error, metricsError, result, cleanup, options.Value.RetryDelay), ct);
        if (!written)
        {
            logger.LogWarning("Lease on instance {InstanceId} was lost before its completion was recorded", instance.InstanceId);
            return null;
        }

        telemetry.InstanceFinished(finalState);
        foreach (var breach in breaches) telemetry.CriterionFailed(breach.Criterion);
        telemetry.RecordsProcessed(instance.PatternName, Added(result?.InputRecords, instance.LiveInputRecords),
            Added(result?.OutputRecords, instance.LiveOutputRecords), Added(result?.ErrorRecords, instance.LiveErrorRecords));
        if (result?.FinishTime is { } finished) telemetry.CompletionDelay(time.GetUtcNow().UtcDateTime - finished);
        logger.LogInformation("Instance {InstanceId} ({JobId}) finished {State}: {Records}{Error}",
            instance.InstanceId, instance.PlatformJobId, finalState,
            result?.InputRecords is null && result?.OutputRecords is null ? "no record counts"
                : $"{result?.InputRecords ?? 0} in, {result?.OutputRecords ?? 0} out, {result?.ErrorRecords ?? 0} errors",
            error is null ? "" : $"; {error}");
        return cleanup ? instance with { State = finalState } : null;
    }

    /// <summary>What the final count adds to the last one recorded while it ran (never negative).</summary>
    private static long Added(long? final, long? live) => final is { } f ? Math.Max(f - (live ?? 0), 0) : 0;

    /// <summary>
    /// Deletes finished instances' jobs in bulk (when their template asks for it) and sweeps the
    /// runs of instances started twice for twins; each instance is unmarked once both are done,
    /// otherwise handed back to be tried again after the retry delay.
    /// </summary>
    public async Task CleanUpAsync(IJobPlatform platform, IReadOnlyList<ClaimedInstance> finished, CancellationToken ct)
    {
        var o = options.Value;
        var pending = new HashSet<Guid>();
        foreach (var batch in finished.Where(c => c.DeleteAfterCompletion && c.PlatformJobId is not null).Chunk(Math.Max(o.StatusBatchSize, 1)))
        {
            var jobIds = batch.Select(c => c.PlatformJobId!).Distinct().ToList();
            try
            {
                await platform.DeleteAsync(jobIds, ct);
                logger.LogInformation("Deleted {Count} job(s) on {Platform} after reading their metrics: {JobIds}",
                    jobIds.Count, platform.Name, string.Join(", ", jobIds));
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                pending.UnionWith(batch.Select(c => c.InstanceId));
                logger.LogWarning(ex, "Could not delete {Count} job(s) on {Platform}; will retry: {JobIds}",
                    jobIds.Count, platform.Name, string.Join(", ", jobIds));
            }
        }
        foreach (var run in finished.Where(c => c.LaunchAttempts >= 2).GroupBy(c => c.RunId))
        {
            if (!await RemoveTwinsAsync(platform, run.First(), ct)) pending.UnionWith(run.Select(c => c.InstanceId));
        }

        await leases.ReleaseAsync(replica.Id, finished.Where(c => pending.Contains(c.InstanceId))
            .Select(c => new Release(c.Lease, o.RetryDelay)).ToList(), ct);
        foreach (var instance in finished.Where(c => !pending.Contains(c.InstanceId)))
        {
            await completions.ClearCleanupAsync(replica.Id, instance.Lease, ct);
        }
    }

    /// <summary>
    /// An instance started twice (the first start's answer was lost) may have a twin on the
    /// platform that the first start created late. Once no instance of the run is still waiting
    /// to be adopted, every job carrying the run's tag that no instance owns is force-stopped and
    /// deleted. False when that is not done yet.
    /// </summary>
    private async Task<bool> RemoveTwinsAsync(IJobPlatform platform, ClaimedInstance instance, CancellationToken ct)
    {
        try
        {
            if (await instances.UnsettledCountAsync(instance.RunId, ct) > 0) return false;
            var found = await platform.FindRunJobsAsync(instance.PlatformTemplateId, instance.RunId, ct);
            if (found is null) return true;
            var known = await instances.KnownJobIdsAsync(instance.RunId, ct);
            var twins = found.Where(j => !known.Contains(j.JobId)).Select(j => j.JobId).ToList();
            if (twins.Count == 0) return true;
            await platform.StopAsync(twins, force: true, ct);
            await platform.DeleteAsync(twins, ct);
            logger.LogWarning("Stopped and deleted {Count} duplicate job(s) of run {RunId} created by a start whose answer was lost: {JobIds}",
                twins.Count, instance.RunId, string.Join(", ", twins));
            return true;
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Removing duplicate jobs of run {RunId} failed; will retry", instance.RunId);
            return false;
        }
    }
}
