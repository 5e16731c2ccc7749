using JobTemplateService.Common;
using JobTemplateService.Instances;
using Microsoft.Extensions.Options;

namespace JobTemplateService.Monitoring;

/// <summary>
/// Keeps this replica visible to its peers, renews the leases it is working on, and releases
/// the leases of replicas that died. On a clean stop it hands every lease back at once.
/// </summary>
internal sealed class ReplicaHeartbeat(LeaseRepository leases, ActiveLeases active, ReplicaIdentity replica,
    IOptions<MonitorOptions> options, TimeProvider time, ILogger<ReplicaHeartbeat> logger) : PeriodicService(time, logger)
{
    protected override TimeSpan Interval => options.Value.HeartbeatInterval;

    protected override Task PassAsync(CancellationToken ct) => RunOnceAsync(ct);

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        logger.LogInformation("Replica {ReplicaId} on {Host} (pid {Pid}) started", replica.Id, replica.HostName, replica.ProcessId);
        return base.StartAsync(cancellationToken);
    }

    internal async Task<HeartbeatResult> RunOnceAsync(CancellationToken ct)
    {
        var o = options.Value;
        var result = await leases.HeartbeatAsync(replica, active.Snapshot(), o.LeaseDuration, o.ReplicaTimeout, ct);
        if (result.DeadReplicas > 0)
        {
            logger.LogWarning("{Count} replica(s) stopped heartbeating; released {Leases} of their leases",
                result.DeadReplicas, result.FreedLeases);
        }
        return result;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            var released = await leases.ReleaseAllAsync(replica.Id, cancellationToken);
            logger.LogInformation("Replica {ReplicaId} stopping; handed back {Count} lease(s)", replica.Id, released);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not hand back leases on shutdown; they expire by themselves");
        }
    }
}
