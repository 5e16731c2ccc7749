using Dapper;
using JobTemplateService.Common;
using Npgsql;

namespace JobTemplateService.Platform.Local;

/// <summary>
/// Watches this replica's local processes: kills those whose instance was canceled, and on a
/// clean shutdown kills them all and records them FAILED, saying so, before leases are handed back.
/// </summary>
internal sealed class LocalSupervisor(LocalPlatform platform, NpgsqlDataSource dataSource, TimeProvider time,
    ILogger<LocalSupervisor> logger) : PeriodicService(time, logger)
{
    protected override TimeSpan Interval => TimeSpan.FromSeconds(1);

    protected override bool Enabled => platform.IsConfigured;

    protected override Task PassAsync(CancellationToken ct) => KillCanceledAsync(ct);

    internal async Task KillCanceledAsync(CancellationToken ct)
    {
        var running = platform.Running.ToDictionary(j => j.Process.InstanceId);
        if (running.Count == 0) return;
        const string sql = "SELECT instance_id FROM streamsets.run_instance WHERE instance_id = ANY(@ids) AND stop_reason = 'CANCEL'";
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        foreach (var id in await connection.QueryAsync<Guid>(new CommandDefinition(sql, new { ids = running.Keys.ToArray() }, cancellationToken: ct)))
        {
            logger.LogInformation("Killing local process {JobId}: its run was canceled", running[id].Process.JobId);
            running[id].Process.Kill("canceled");
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
        var running = platform.Running.ToList();
        foreach (var job in running) job.Process.Kill("shutdown");
        if (running.Count == 0) return;
        logger.LogWarning("Stopping: killed {Count} local process(es); they end FAILED", running.Count);
        // Wait until their completions are recorded, before the heartbeat hands the leases back.
        await Task.WhenAny(Task.WhenAll(running.Select(j => j.Recorded.Task)), Task.Delay(TimeSpan.FromSeconds(10), cancellationToken));
    }
}
