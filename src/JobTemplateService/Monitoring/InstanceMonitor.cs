using JobTemplateService.Common;
using JobTemplateService.Instances;
using Microsoft.Extensions.Options;

namespace JobTemplateService.Monitoring;

/// <summary>
/// The hosted monitor. Each pass claims the instances that are due (on any replica, via leases),
/// checks them, and repeats while full batches come back. A failing pass is logged and the next
/// one continues; nothing escapes to stop the host.
/// </summary>
internal sealed class InstanceMonitor(LeaseRepository leases, InstanceChecker checker, QueueDispatcher queue, InstanceRepository instances,
    ReplicaIdentity replica,
    IOptions<MonitorOptions> options, TimeProvider time, ILogger<InstanceMonitor> logger) : PeriodicService(time, logger)
{
    protected override TimeSpan Interval => options.Value.PollInterval;

    protected override bool Enabled
    {
        get
        {
            if (!options.Value.Enabled) logger.LogWarning("Monitoring is disabled (Monitor:Enabled=false): no instance is checked by this replica");
            return options.Value.Enabled;
        }
    }

    protected override LogLevel FailureLevel => LogLevel.Error;

    protected override Task PassAsync(CancellationToken ct) => RunOnceAsync(ct);

    /// <summary>
    /// One pass: take over the start intents of launches that died (their instances become due),
    /// then claim and check the instances that were due when it began, until none are left.
    /// Instances that come due again during a long pass wait for the next one, so that a pass
    /// polls each instance once; running instances are due again one interval after the pass
    /// began, however late in the pass they were checked, so the next pass polls them all.
    /// Returns how many were checked.
    /// </summary>
    internal async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var o = options.Value;
        var checkedCount = 0;
        DateTime? began = null; // the database's clock at the pass's first claim
        await queue.PromoteAsync(ct);
        var taken = await instances.WriteExpiredIntentsAsync(o.ClaimBatchSize, ct);
        if (taken > 0) logger.LogWarning("Took over {Count} instance(s) whose launch stopped before recording the platform's answer; reconciling them", taken);
        while (!ct.IsCancellationRequested)
        {
            var claimed = await leases.ClaimAsync(replica.Id, o.ClaimBatchSize, o.LeaseDuration, ct, dueBy: began);
            if (claimed.Count == 0) break;
            began ??= claimed[0].Now;
            await checker.CheckAsync(claimed, began.Value, ct);
            checkedCount += claimed.Count;
            if (claimed.Count < o.ClaimBatchSize) break;
        }
        if (checkedCount > 0) logger.LogDebug("Monitor pass checked {Count} instance(s)", checkedCount);
        return checkedCount;
    }
}
