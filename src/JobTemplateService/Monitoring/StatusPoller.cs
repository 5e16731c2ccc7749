using System.Collections.Concurrent;
using JobTemplateService.Common;
using JobTemplateService.Instances;
using JobTemplateService.Platform;
using JobTemplateService.Templates;
using Microsoft.Extensions.Options;

namespace JobTemplateService.Monitoring;

/// <summary>
/// Polls running instances with one bulk status call per batch, records the counts they report
/// as they run (and stalls), sends stops for cancellations, expired max waits and stalls that
/// fail, and records every instance that reached a terminal state. An instance being stopped is
/// checked again within a second, then less and less often.
/// </summary>
internal sealed class StatusPoller(CompletionRecorder recorder, CompletionRepository completions, LeaseRepository leases,
    LiveMetricsRepository live, ReplicaIdentity replica, IOptions<MonitorOptions> options, IOptions<LiveMetricsOptions> metrics,
    TimeProvider time, ServiceTelemetry telemetry, ILogger<StatusPoller> logger)
{
    public async Task PollAsync(IJobPlatform platform, IReadOnlyList<ClaimedInstance> running, DateTime passBegan, CancellationToken ct)
    {
        var o = options.Value;
        var ids = running.Where(c => c.PlatformJobId is not null).Select(c => c.PlatformJobId!).Distinct().ToList();
        var statuses = new ConcurrentDictionary<string, JobStatusReport>();
        var names = new Dictionary<string, JobDescription>();
        // The bulk calls of one claim go out side by side, so a pass over many instances lasts
        // about as long as its claims, not as the sum of every status call.
        await Parallel.ForEachAsync(ids.Chunk(Math.Max(o.StatusBatchSize, 1)), o.Parallelism(ct), async (chunk, token) =>
        {
            var started = time.GetTimestamp();
            foreach (var (id, report) in await platform.GetStatusesAsync(chunk, token)) statuses[id] = report;
            telemetry.PlatformCall(platform.Name, "status", "ok", time.GetElapsedTime(started));
        });
        var unnamed = running.Where(c => c.Name is null && c.PlatformJobId is not null).Select(c => c.PlatformJobId!).ToList();
        foreach (var chunk in unnamed.Chunk(Math.Max(o.StatusBatchSize, 1)))
        {
            foreach (var (id, description) in await platform.DescribeAsync(chunk, ct)) names[id] = description;
        }

        var failing = await RecordLiveAsync(running, statuses, ct);

        var releases = new List<Release>();
        var stopping = new List<Release>();
        var finished = new List<(ClaimedInstance Instance, JobStatusReport? Report)>();
        var stops = new List<(ClaimedInstance Instance, bool Force)>();
        foreach (var claimed in running)
        {
            var c = failing.Contains(claimed.InstanceId) ? claimed with { StopReason = claimed.StopReason ?? "STALL" } : claimed;
            var report = c.PlatformJobId is null ? null : statuses.GetValueOrDefault(c.PlatformJobId);
            if (report is null || report.IsTerminal)
            {
                finished.Add((c, report));
                continue;
            }
            var action = StopAction(c, o);
            if (action is null && c.StopReason is not null)
            {
                var since = c.Now - (c.ForceStoppedAt ?? c.StopRequestedAt ?? c.Now);
                stopping.Add(new Release(c.Lease, o.StopCheckDelay(since), names.GetValueOrDefault(c.PlatformJobId!)?.Name));
            }
            else if (action is null)
            {
                releases.Add(new Release(c.Lease, NextPoll(o.PollInterval), names.GetValueOrDefault(c.PlatformJobId!)?.Name));
            }
            else if (action is StopStep.GiveUp)
            {
                finished.Add((c, report));
            }
            else
            {
                stops.Add((c, action == StopStep.ForceStop));
            }
        }
        // Due again one interval (less a margin) after the pass began, not after this batch: a
        // long pass's late batches then still come due before the next pass's cut-off.
        await leases.ReleaseAsync(replica.Id, releases, ct, from: passBegan);
        await leases.ReleaseAsync(replica.Id, stopping, ct);
        await StopAsync(platform, stops, ct);

        var cleanups = new ConcurrentBag<ClaimedInstance>();
        await Parallel.ForEachAsync(finished, o.Parallelism(ct), async (item, token) =>
        {
            using var scope = item.Instance.LogScope(logger);
            try
            {
                if (await recorder.RecordAsync(platform, item.Instance, item.Report, token) is { } cleanup) cleanups.Add(cleanup);
            }
            catch (Exception ex) when (!token.IsCancellationRequested)
            {
                logger.LogError(ex, "Recording the completion of instance {InstanceId} failed; retrying later", item.Instance.InstanceId);
                await leases.ReleaseAsync(replica.Id, [new Release(item.Instance.Lease, o.RetryDelay)], token);
            }
        });
        if (!cleanups.IsEmpty) await recorder.CleanUpAsync(platform, cleanups.ToList(), ct);
    }

    /// <summary>The next poll comes a little before a full interval, so it is due when the next pass begins.</summary>
    public static TimeSpan NextPoll(TimeSpan pollInterval) =>
        pollInterval - TimeSpan.FromTicks(Math.Min(pollInterval.Ticks / 4, TimeSpan.TicksPerSecond));

    /// <summary>
    /// Records the counts running instances reported (snapshots, live-metrics, stalls) while their
    /// leases are held; returns the instances that just stalled and whose template says to fail them.
    /// Platforms that report no counts while a job runs (Kubernetes) record nothing here.
    /// </summary>
    private async Task<HashSet<Guid>> RecordLiveAsync(IReadOnlyList<ClaimedInstance> running,
        IReadOnlyDictionary<string, JobStatusReport> statuses, CancellationToken ct)
    {
        var reports = running
            .Select(c => (Claimed: c, Report: c.PlatformJobId is null ? null : statuses.GetValueOrDefault(c.PlatformJobId)))
            .Where(r => r.Report is { IsTerminal: false, Counts: not null })
            .Select(r => new LiveReport(r.Claimed.Lease, r.Report!.Counts)).ToList();
        var failing = new HashSet<Guid>();
        foreach (var outcome in await live.RecordAsync(replica.Id, reports, metrics.Value.SnapshotInterval, ct))
        {
            telemetry.RecordsProcessed(outcome.PatternName, outcome.InputAdded, outcome.OutputAdded, outcome.ErrorsAdded);
            if (!outcome.Stalled) continue;
            logger.LogWarning("Instance {InstanceId} stalled: its counts have not moved for {StallAfter}{Action}", outcome.InstanceId,
                outcome.StallAfter, outcome.StallAction == StallActions.Fail ? "; stopping it" : "");
            if (outcome.StallAction == StallActions.Fail) failing.Add(outcome.InstanceId);
        }
        return failing;
    }

    private static StopStep? StopAction(ClaimedInstance c, MonitorOptions o) => c.StopReason switch
    {
        null when c.DeadlinePassed => StopStep.ForceStop,
        null => null,
        _ when c.ForceStoppedAt is { } forced => c.Now - forced >= o.StopGrace ? StopStep.GiveUp : null,
        "CANCEL" or "STALL" when c.StopRequestedAt is null => StopStep.Stop,
        "CANCEL" or "STALL" when c.Now - c.StopRequestedAt >= o.StopGrace => StopStep.ForceStop,
        "TIMEOUT" => StopStep.ForceStop,
        _ => null,
    };

    /// <summary>
    /// One bulk stop and one bulk force-stop call per batch. A batch the platform does not take is
    /// handed back and sent again on a later pass; the others are recorded as sent.
    /// </summary>
    private async Task StopAsync(IJobPlatform platform, IReadOnlyList<(ClaimedInstance Instance, bool Force)> stops, CancellationToken ct)
    {
        var o = options.Value;
        foreach (var batch in stops.GroupBy(s => s.Force).SelectMany(g => g.Chunk(Math.Max(o.StatusBatchSize, 1))))
        {
            var force = batch[0].Force;
            var step = force ? "force-stop" : "stop";
            try
            {
                await platform.StopAsync(batch.Select(s => s.Instance.PlatformJobId!).Distinct().ToList(), force, ct);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                using var failed = batch[0].Instance.LogScope(logger);
                logger.LogError(ex, "Sending {Step} for {Count} job(s) failed; sending it again after {Delay}", step, batch.Length, o.RetryDelay);
                await leases.ReleaseAsync(replica.Id, batch.Select(s => new Release(s.Instance.Lease, o.RetryDelay)).ToList(), ct);
                continue;
            }
            foreach (var (c, _) in batch)
            {
                using var scope = c.LogScope(logger);
                var reason = c.StopReason ?? "TIMEOUT";
                logger.LogInformation("Sent {Step} for job {JobId} ({Reason})", step, c.PlatformJobId, reason);
                await completions.RecordStopAsync(replica.Id, c.Lease, reason, force, o.StopCheckDelay(TimeSpan.Zero), ct);
            }
        }
    }

    private enum StopStep { Stop, ForceStop, GiveUp }
}
