using JobTemplateService.Common;
using JobTemplateService.Instances;
using JobTemplateService.Platform;
using Microsoft.Extensions.Options;

namespace JobTemplateService.Monitoring;

/// <summary>
/// Does what each claimed instance needs, by state: start (PENDING), reconcile an unclear start
/// (STARTING), poll and finish (RUNNING), delete on the platform (finished, cleanup pending).
/// A failure on one group of instances is logged and hands that group back for a later pass.
/// </summary>
internal sealed class InstanceChecker(PlatformRegistry platforms, StatusPoller poller, LaunchReconciler reconciler,
    CompletionRecorder recorder, LeaseRepository leases, ActiveLeases active, ReplicaIdentity replica,
    IOptions<MonitorOptions> options, ServiceTelemetry telemetry, ILogger<InstanceChecker> logger)
{
    /// <summary>Checks claimed instances; <paramref name="passBegan"/> is the database time of the monitor pass's first claim.</summary>
    public async Task CheckAsync(IReadOnlyList<ClaimedInstance> claimed, DateTime passBegan, CancellationToken ct)
    {
        using var holding = active.Hold(claimed.Select(c => c.InstanceId));
        foreach (var instance in claimed) telemetry.MonitorLag(instance.Lag);

        foreach (var group in claimed.GroupBy(c => c.Platform))
        {
            var platform = platforms.Find(group.Key);
            if (platform is null)
            {
                logger.LogError("{Count} instance(s) run on {Platform}, which is not configured; checking again later",
                    group.Count(), group.Key);
                await HandBackAsync(group.ToList(), ct);
                continue;
            }

            var cleanups = group.Where(c => c.CleanupPending && InstanceStates.IsTerminal(c.State)).ToList();
            await GuardAsync(cleanups, () => recorder.CleanUpAsync(platform, cleanups, ct), ct);

            foreach (var run in group.Where(c => c.State is InstanceStates.Pending or InstanceStates.Starting).GroupBy(c => c.RunId))
            {
                var instances = run.ToList();
                await GuardAsync(instances, () => reconciler.ReconcileAsync(platform, instances, ct), ct);
            }

            var running = group.Where(c => c.State == InstanceStates.Running).ToList();
            await GuardAsync(running, () => poller.PollAsync(platform, running, passBegan, ct), ct);
        }
    }

    private async Task GuardAsync(IReadOnlyList<ClaimedInstance> instances, Func<Task> work, CancellationToken ct)
    {
        if (instances.Count == 0) return;
        try
        {
            await work();
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            using var scope = instances[0].LogScope(logger);
            logger.LogError(ex, "Checking {Count} instance(s) failed; they are checked again after {Delay}",
                instances.Count, options.Value.RetryDelay);
            await HandBackAsync(instances, ct);
        }
    }

    private async Task HandBackAsync(IReadOnlyList<ClaimedInstance> instances, CancellationToken ct)
    {
        try
        {
            await leases.ReleaseAsync(replica.Id, instances.Select(c => new Release(c.Lease, options.Value.RetryDelay)).ToList(), ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Could not hand back {Count} lease(s); they expire by themselves", instances.Count);
        }
    }
}
