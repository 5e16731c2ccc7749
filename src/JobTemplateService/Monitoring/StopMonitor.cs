using JobTemplateService.Common;
using JobTemplateService.Instances;
using Microsoft.Extensions.Options;

namespace JobTemplateService.Monitoring;

/// <summary>
/// Follows instances being stopped (cancel, max wait, a stall that fails them) closely, beside the
/// regular monitor passes: every Monitor:StoppingCheckInterval it claims those that are due, so a
/// cancel's stop goes out at once and a stopped instance is checked again within a second (then
/// less and less often, see <see cref="MonitorOptions.StopCheckDelay"/>). Its claim reads a small
/// index of stopping instances only, so it costs next to nothing while nothing is being stopped.
/// </summary>
internal sealed class StopMonitor(LeaseRepository leases, InstanceChecker checker, ReplicaIdentity replica,
    IOptions<MonitorOptions> options, TimeProvider time, ILogger<StopMonitor> logger) : PeriodicService(time, logger)
{
    private long lastFailureLogged;

    protected override TimeSpan Interval => options.Value.StoppingCheckInterval;

    protected override bool Enabled => options.Value.Enabled;

    protected override async Task PassAsync(CancellationToken ct)
    {
        try
        {
            await RunOnceAsync(ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            // Several passes a second: while the database is away, say so every ten seconds, not every pass.
            if (Time.GetElapsedTime(Interlocked.Read(ref lastFailureLogged)) < TimeSpan.FromSeconds(10)) return;
            Interlocked.Exchange(ref lastFailureLogged, Time.GetTimestamp());
            logger.LogWarning(ex, "Checking instances being stopped failed; trying again every {Interval}", Interval);
        }
    }

    /// <summary>Claims and checks the stopping instances that are due; returns how many.</summary>
    internal async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var o = options.Value;
        var checkedCount = 0;
        while (!ct.IsCancellationRequested)
        {
            var claimed = await leases.ClaimStoppingAsync(replica.Id, o.ClaimBatchSize, o.LeaseDuration, ct);
            if (claimed.Count == 0) break;
            await checker.CheckAsync(claimed, claimed[0].Now, ct);
            checkedCount += claimed.Count;
            if (claimed.Count < o.ClaimBatchSize) break;
        }
        return checkedCount;
    }
}
