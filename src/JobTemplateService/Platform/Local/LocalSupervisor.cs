using Dapper;
using JobTemplateService.Common;
using JobTemplateService.Instances;
using JobTemplateService.Templates;
using Microsoft.Extensions.Options;
using Npgsql;

namespace JobTemplateService.Platform.Local;

/// <summary>
/// Watches this replica's local processes every second: records the counts their metrics lines
/// reported (live metrics, snapshots, stalls), stops those whose instance is being stopped (a
/// canceled batch job is killed, a canceled streaming job asked to stop and killed after
/// LocalPlatform:StopGrace, a stalled one whose template says fail is killed), and on a clean
/// shutdown kills them all and records them FAILED, saying so, before leases are handed back.
/// </summary>
internal sealed class LocalSupervisor(LocalPlatform platform, LiveMetricsRepository live, NpgsqlDataSource dataSource,
    ReplicaIdentity replica, IOptions<LiveMetricsOptions> metrics, IOptions<LocalPlatformOptions> options, ServiceTelemetry telemetry,
    TimeProvider time, ILogger<LocalSupervisor> logger) : PeriodicService(time, logger)
{
    protected override TimeSpan Interval => TimeSpan.FromSeconds(1);

    protected override bool Enabled => platform.IsConfigured;

    protected override async Task PassAsync(CancellationToken ct)
    {
        await RecordLiveAsync(ct);
        await StopRequestedAsync(ct);
    }

    internal async Task RecordLiveAsync(CancellationToken ct)
    {
        var running = platform.Running.ToList();
        var reports = running.Select(j => new LiveReport(new InstanceLease(j.Process.InstanceId, j.LeaseGeneration), j.Process.Live)).ToList();
        foreach (var outcome in await live.RecordAsync(replica.Id, reports, metrics.Value.SnapshotInterval, ct))
        {
            telemetry.RecordsProcessed(outcome.PatternName, outcome.InputAdded, outcome.OutputAdded, outcome.ErrorsAdded);
            if (outcome.Stalled)
            {
                logger.LogWarning("Local process of instance {InstanceId} stalled: no new counts for {StallAfter}{Action}", outcome.InstanceId,
                    outcome.StallAfter, outcome.StallAction == StallActions.Fail ? "; killing it" : "");
            }
        }
    }

    internal async Task StopRequestedAsync(CancellationToken ct)
    {
        var running = platform.Running.ToDictionary(j => j.Process.InstanceId);
        if (running.Count == 0) return;
        const string sql = "SELECT instance_id, stop_reason FROM streamsets.run_instance WHERE instance_id = ANY(@ids) AND stop_reason IS NOT NULL";
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var stopping = await connection.QueryAsync<(Guid InstanceId, string StopReason)>(
            new CommandDefinition(sql, new { ids = running.Keys.ToArray() }, cancellationToken: ct));
        foreach (var (id, reason) in stopping)
        {
            var job = running[id];
            if (job.Process.KilledBecause is not null) continue;
            switch (reason)
            {
                case "CANCEL" when job.Streaming:
                    logger.LogInformation("Stopping local process {JobId}: its run was canceled", job.Process.JobId);
                    job.Process.Stop("stopped", options.Value.StopGrace);
                    break;
                case "CANCEL":
                    logger.LogInformation("Killing local process {JobId}: its run was canceled", job.Process.JobId);
                    job.Process.Kill("canceled");
                    break;
                case "STALL":
                    logger.LogInformation("Killing local process {JobId}: it stalled", job.Process.JobId);
                    job.Process.Kill("stalled");
                    break;
            }
        }
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (platform.IsConfigured && platform.Account is { Switches: false } self)
        {
            // Jobs share the service's uid: without this they could read /proc/<service pid>/environ.
            _ = SetDumpable(4 /* PR_SET_DUMPABLE */, 0);
            logger.LogWarning("Local jobs run as the service's own user '{User}' (the service is not root): they can read every file this user " +
                "can. Run the service as a dedicated user, keep database.ini and platform.ini out of the jobs' reach, or run it as root " +
                "with LocalPlatform:RunAsUser", self.Name);
        }
        return base.StartAsync(cancellationToken);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "prctl")]
    private static extern int SetDumpable(int option, ulong value);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // Every job whose end is not recorded yet, not only those still running: a host can be
        // stopped twice at once, and the second stop must wait for the recordings the first one's
        // kills started too, or it would go on to hand the leases back under them.
        var unrecorded = platform.Unrecorded.ToList();
        if (unrecorded.Count == 0) return;
        var running = unrecorded.Count(j => !j.Process.IsFinished);
        foreach (var job in unrecorded) job.Process.Kill("shutdown");
        if (running > 0) logger.LogWarning("Stopping: killed {Count} local process(es); they end FAILED", running);
        // Wait until their completions are recorded, before the heartbeat hands the leases back: as long as
        // the host's shutdown allows (HostOptions.ShutdownTimeout), not a fixed time that a busy machine can
        // overrun. What is not recorded by then is recorded by a peer once its lease is handed back.
        try
        {
            await Task.WhenAll(unrecorded.Select(j => j.Recorded.Task)).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Stopping: the shutdown timeout passed before every killed local process was recorded");
        }
    }
}
