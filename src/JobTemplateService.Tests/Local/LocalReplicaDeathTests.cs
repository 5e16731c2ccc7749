using JobTemplateService.Platform.Local;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Serilog.Core;
using Serilog.Events;

namespace JobTemplateService.Tests;

/// <summary>
/// A local process lives on the replica that started it. When that replica dies its instance ends
/// FAILED with LocalPlatform.LostMessage on a live replica; when it stops cleanly it kills its
/// processes and records them FAILED itself. Never left RUNNING.
/// </summary>
public sealed class LocalReplicaDeathTests
{
    [Fact]
    public async Task RunningLocalInstanceWhoseReplicaLeaseExpiredEndsFailedWithTheLostMessageAfterAMonitorPass()
    {
        await using var app = await TestApp.StartAsync(LocalJobs.Command("lost_job", "sleep 60"));
        await app.Database.LocalTemplateAsync("lost_job");
        var (runId, instanceId) = await InsertOrphanAsync(app.Database, Guid.NewGuid(), "now() - interval '1 second'");

        await app.MonitorPassAsync();
        var run = await app.GetRunAsync(runId);

        Assert.Equal(RunStates.Failed, run.State);
        var instance = Assert.Single(run.Instances);
        Assert.Equal((instanceId, InstanceStates.Failed), (instance.InstanceId, instance.State));
        Assert.Equal(LocalPlatform.LostMessage, instance.Error);
        Assert.NotNull(instance.Metrics);
        Assert.False(instance.Metrics.SuccessfulRun);
        Assert.Equal(LocalPlatform.LostMessage, instance.Metrics.ErrorMessage);
        Assert.Equal(0L, await app.Database.ScalarAsync<long>(
            $"SELECT count(*) FROM streamsets.run_instance WHERE instance_id = '{instanceId}' AND lease_owner IS NOT NULL"));
    }

    [Fact]
    public async Task LocalInstanceOfAReplicaThatStoppedHeartbeatingEndsFailedOnceItsLeaseIsFreed()
    {
        await using var app = await TestApp.StartAsync(LocalJobs.Command("lost_job", "sleep 60"));
        await app.Database.LocalTemplateAsync("lost_job");
        var deadReplica = Guid.NewGuid();
        // The replica and its instance appear together: the host's own heartbeat runs by itself too, and
        // a pass between the two would delete the replica before its instance existed, leaving the lease held.
        var (runId, _) = await InsertOrphanAsync(app.Database, deadReplica, "now() + interval '10 minutes'", replicaLastBeat: "now() - interval '1 hour'");

        await app.Service<ReplicaHeartbeat>().RunOnceAsync(CancellationToken.None);
        await app.MonitorPassAsync();
        var run = await app.GetRunAsync(runId);

        Assert.Equal(RunStates.Failed, run.State);
        Assert.Equal((InstanceStates.Failed, LocalPlatform.LostMessage), (run.Instances[0].State, run.Instances[0].Error));
        Assert.Equal(0L, await app.Database.ScalarAsync<long>(
            $"SELECT count(*) FROM streamsets.service_replica WHERE replica_id = '{deadReplica}'"));
    }

    [Fact]
    public async Task CleanShutdownKillsTheRunningProcessTreeAndEndsTheInstanceFailedSayingTheServiceStopped()
    {
        await using var database = await TestDatabase.CreateAsync();
        var log = new CapturedLog();
        var app = await TestApp.StartAsync(LocalJobs.Command("tree_job", "sleep 300 & echo \"child $!\"; sleep 60"), database: database,
            services: s => s.AddSingleton<ILogEventSink>(log));
        string? marker = null;
        try
        {
            await database.LocalTemplateAsync("tree_job");
            var launched = await app.LaunchAsync(LocalJobs.Body("shutdown-1"));
            marker = $"JTS_RUN_ID={launched.RunId}";
            await app.WaitForLogLineAsync(launched.RunId, "child ");
            var treeBefore = ProcessProbe.WithEnvironment(marker);
            // The pid the job printed is its own PID namespace's (as root); the probe sees host pids.
            var child = treeBefore.Single(p => ProcessProbe.CommandLine(p) == "sleep 300");

            await app.DisposeAsync();
            var treeAfter = await ProcessProbe.WaitUntilGoneAsync(() => ProcessProbe.WithEnvironment(marker), TimeSpan.FromSeconds(2));
            var instance = $"FROM streamsets.run_instance WHERE run_id = '{launched.RunId}'";

            var state = await database.ScalarAsync<string>($"SELECT state {instance}");
            // What the service said while stopping, should it ever leave the instance otherwise.
            Assert.True(state == InstanceStates.Failed,
                $"The instance is {state} after a clean shutdown; the service logged: {string.Join(" | ", log.Messages(LogEventLevel.Information).TakeLast(20))}");
            Assert.Contains("service stopped", await database.ScalarAsync<string>($"SELECT error {instance}"));
            Assert.Equal(RunStates.Failed, await database.ScalarAsync<string>(
                $"SELECT state FROM streamsets.run WHERE run_id = '{launched.RunId}'"));
            Assert.Equal(1L, await database.ScalarAsync<long>(
                $"SELECT count(*) FROM streamsets.job_run_metrics WHERE run_id = '{launched.RunId}' AND NOT successful_run"));
            Assert.Empty(treeAfter);
            Assert.False(ProcessProbe.IsRunning(child));
        }
        finally
        {
            await app.DisposeAsync();
            if (marker is not null) ProcessProbe.KillAllWithEnvironment(marker);
        }
    }

    /// <summary>
    /// A host can be stopped twice at once. The second stop, seeing no process left running, must
    /// still wait for the end the first stop's kill is recording, or it goes on to hand the lease
    /// back under that recording, which then finds its lease gone and leaves the instance RUNNING.
    /// The recording is held back here by a lock on the run row, so the window stays open.
    /// </summary>
    [Fact]
    public async Task ASecondStopAtTheSameTimeWaitsForTheEndTheFirstIsRecording()
    {
        await using var app = await TestApp.StartAsync(LocalJobs.Command("twice_stopped", "sleep 60"));
        await app.Database.LocalTemplateAsync("twice_stopped");
        var launched = await app.LaunchAsync(LocalJobs.Body("stop-twice"));
        var platform = app.Services.GetRequiredService<LocalPlatform>();
        var supervisor = app.Services.GetRequiredService<LocalSupervisor>();
        await using var blocker = new NpgsqlConnection(app.Database.ConnectionString);
        await blocker.OpenAsync();
        await using var transaction = await blocker.BeginTransactionAsync();
        await using (var lockRun = new NpgsqlCommand($"SELECT 1 FROM streamsets.run WHERE run_id = '{launched.RunId}' FOR UPDATE", blocker, transaction))
            await lockRun.ExecuteNonQueryAsync();

        var first = supervisor.StopAsync(CancellationToken.None);
        for (var waited = 0; platform.Running.Any() && waited < 300; waited++) await Task.Delay(100);
        var second = supervisor.StopAsync(CancellationToken.None);
        await Task.Delay(500);
        var secondEndedEarly = second.IsCompleted;
        await transaction.RollbackAsync();
        await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Empty(platform.Running);
        Assert.False(secondEndedEarly, "the second stop returned while the first one's killed process was still being recorded");
        Assert.Equal(InstanceStates.Failed, await app.Database.ScalarAsync<string>(
            $"SELECT state FROM streamsets.run_instance WHERE run_id = '{launched.RunId}'"));
    }

    /// <summary>
    /// A run with one RUNNING local instance held by another replica; its process is nowhere. With
    /// replicaLastBeat, that replica's row is inserted by the same statement.
    /// </summary>
    private static async Task<(Guid RunId, Guid InstanceId)> InsertOrphanAsync(TestDatabase database, Guid owner, string leaseExpiresAt,
        string? replicaLastBeat = null)
    {
        var (runId, instanceId) = (Guid.NewGuid(), Guid.NewGuid());
        var replica = replicaLastBeat is null ? "" : $"""
            replica AS (
                INSERT INTO streamsets.service_replica (replica_id, host_name, process_id, heartbeat_at)
                VALUES ('{owner}', 'gone-host', 4242, {replicaLastBeat})
            ),
            """;
        await database.ExecuteAsync($"""
            WITH {replica} t AS (SELECT job_template_id FROM streamsets.job_template WHERE sch_job_template_id = 'lost_job'),
            r AS (
                INSERT INTO streamsets.run (run_id, user_id, user_run_id, source_type, target_type, job_template_id, pattern_name,
                                            platform, platform_template_id, state)
                SELECT '{runId}', 'ann@example.com', 'orphan-1', 'local', 'out', job_template_id, 'local-to-out', 'local', 'lost_job', 'RUNNING'
                  FROM t
                RETURNING run_id, job_template_id
            )
            INSERT INTO streamsets.run_instance (instance_id, run_id, ordinal, job_template_id, platform, state, parameters,
                                                 platform_job_id, name, started_at, deadline_at, next_check_at,
                                                 lease_owner, lease_expires_at, lease_generation, launch_attempts)
            SELECT '{instanceId}', run_id, 0, job_template_id, 'local', 'RUNNING', jsonb_build_object(), 'local:{instanceId}', 'lost_job #1',
                   now() - interval '5 minutes', now() + interval '1 hour', now() - interval '1 minute',
                   '{owner}', {leaseExpiresAt}, 3, 1
              FROM r
            """);
        return (runId, instanceId);
    }
}
