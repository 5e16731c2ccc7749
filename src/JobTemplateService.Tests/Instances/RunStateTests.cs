using JobTemplateService.Instances;
using JobTemplateService.Platform;
using Npgsql;

namespace JobTemplateService.Tests;

/// <summary>
/// How a run's state follows from its instances', through the real streamsets.refresh_run_state:
/// the run is finished when every instance is, SUCCEEDED when every instance succeeded; a
/// finished run that did not is STOPPED when every instance succeeded or was stopped cleanly (a
/// canceled streaming run), else CANCELED after a cancel request, else FAILED when an instance
/// failed or failed to start, else TIMED_OUT.
/// </summary>
public sealed class RunStateTests(SharedDatabase shared) : IClassFixture<SharedDatabase>
{
    private TestDatabase Database => shared.Database;

    [Theory]
    [InlineData("STARTING", false, "STARTING")]
    [InlineData("STARTING STARTING", false, "STARTING")]
    [InlineData("QUEUED", false, "STARTING")]
    [InlineData("PENDING QUEUED", false, "STARTING")]
    [InlineData("QUEUED RUNNING", false, "RUNNING")]
    [InlineData("STARTING RUNNING", false, "RUNNING")]
    [InlineData("SUCCEEDED STARTING", false, "RUNNING")]
    [InlineData("FAILED QUEUED", false, "RUNNING")]
    [InlineData("RUNNING", true, "RUNNING")]
    [InlineData("SUCCEEDED", false, "SUCCEEDED")]
    [InlineData("SUCCEEDED SUCCEEDED SUCCEEDED", false, "SUCCEEDED")]
    [InlineData("SUCCEEDED SUCCEEDED", true, "SUCCEEDED")]
    [InlineData("SUCCEEDED TIMED_OUT", false, "TIMED_OUT")]
    [InlineData("SUCCEEDED FAILED", false, "FAILED")]
    [InlineData("TIMED_OUT FAILED", false, "FAILED")]
    [InlineData("START_FAILED START_FAILED", false, "FAILED")]
    [InlineData("SUCCEEDED START_FAILED", false, "FAILED")]
    [InlineData("FAILED", true, "CANCELED")]
    [InlineData("TIMED_OUT SUCCEEDED", true, "CANCELED")]
    [InlineData("CANCELED SUCCEEDED", true, "CANCELED")]
    [InlineData("CANCELED CANCELED", false, "CANCELED")]
    [InlineData("STOPPED", true, "STOPPED")]
    [InlineData("STOPPED SUCCEEDED", true, "STOPPED")]
    [InlineData("STOPPED RUNNING", true, "RUNNING")]
    [InlineData("STOPPED CANCELED", true, "CANCELED")]
    [InlineData("STOPPED FAILED", true, "CANCELED")]
    [InlineData("STOPPED FAILED", false, "FAILED")]
    public async Task RunStateFollowsFromItsInstances(string instanceStates, bool cancelRequested, string expected)
    {
        var states = instanceStates.Split(' ');
        var database = Database;
        var runId = Guid.CreateVersion7();

        var state = await SeedRunAsync(runId, states, cancelRequested);
        var (stored, finished) = await database.QuerySingleAsync<(string, bool)>(
            "SELECT state, finished_at IS NOT NULL FROM streamsets.run WHERE run_id = @runId", new { runId });

        Assert.Equal(expected, state);
        Assert.Equal(expected, stored);
        Assert.Equal(RunStates.IsTerminal(expected), finished);
        Assert.Equal(states.All(InstanceStates.IsTerminal), RunStates.IsTerminal(expected));
    }

    /// <summary>
    /// Recording a start writes the run's state itself instead of calling refresh_run_state: for
    /// every company the started instance can keep, the state it writes is the one the function
    /// computes, and a start whose lease was lost changes neither the instance nor the run.
    /// </summary>
    [Theory]
    [InlineData("", false)]
    [InlineData("STARTING", false)]
    [InlineData("QUEUED QUEUED", false)]
    [InlineData("RUNNING", false)]
    [InlineData("SUCCEEDED FAILED", false)]
    [InlineData("CANCELED", true)]
    [InlineData("START_FAILED TIMED_OUT STOPPED", true)]
    [InlineData("PENDING", true)]
    public async Task RecordingAStartLeavesTheRunInTheStateRefreshComputes(string otherStates, bool cancelRequested)
    {
        var database = Database;
        var runId = Guid.CreateVersion7();
        var started = Guid.CreateVersion7();
        var owner = Guid.CreateVersion7();
        var states = new[] { InstanceStates.Starting }.Concat(otherStates.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();
        var ids = states.Select((_, n) => n == 0 ? started : Guid.CreateVersion7()).ToArray();
        var before = await SeedRunAsync(runId, states, cancelRequested, ids, owner);
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        var instances = new InstanceRepository(dataSource);
        var job = new StartedJob(started, $"job-{started:N}:org", "Weather 1");

        var lost = await instances.RecordStartedAsync(runId, owner, [new InstanceLease(started, 2)], [job], DateTime.UtcNow,
            TimeSpan.FromSeconds(10), null, CancellationToken.None);
        var stateAfterLost = await database.QuerySingleAsync<string>("SELECT state FROM streamsets.run WHERE run_id = @runId", new { runId });
        var changed = await instances.RecordStartedAsync(runId, owner, [new InstanceLease(started, 1)], [job], DateTime.UtcNow,
            TimeSpan.FromSeconds(10), null, CancellationToken.None);
        var (stored, finished) = await database.QuerySingleAsync<(string, bool)>(
            "SELECT state, finished_at IS NOT NULL FROM streamsets.run WHERE run_id = @runId", new { runId });
        var computed = await database.QuerySingleAsync<string>("SELECT streamsets.refresh_run_state(@runId)", new { runId });

        Assert.Equal(0, lost);
        Assert.Equal(before, stateAfterLost);
        Assert.Equal(1, changed);
        Assert.Equal(RunStates.Running, stored);
        Assert.Equal(computed, stored);
        Assert.False(finished);
    }

    /// <summary>A run whose instances are in these states (leased to owner when given), its state refreshed; returns that state.</summary>
    private Task<string> SeedRunAsync(Guid runId, string[] states, bool cancelRequested, Guid[]? ids = null, Guid? owner = null) =>
        Database.QuerySingleAsync<string>("""
            WITH template AS (
                INSERT INTO streamsets.job_template (sch_job_template_id) VALUES ('template:org') RETURNING job_template_id
            ), run AS (
                INSERT INTO streamsets.run (run_id, user_id, user_run_id, source_type, target_type, job_template_id,
                                            pattern_name, platform, platform_template_id, cancel_requested_at)
                SELECT @runId, 'ada', 'run-1', 'http', 'gcs', job_template_id, 'http-to-gcs', 'controlhub', 'template:org',
                       CASE WHEN @cancelRequested THEN now() END
                  FROM template
                RETURNING run_id, job_template_id
            )
            INSERT INTO streamsets.run_instance (instance_id, run_id, ordinal, job_template_id, platform, state, parameters, deadline_at,
                                                 lease_owner, lease_expires_at, lease_generation)
            SELECT u.id, run.run_id, u.ordinal::int - 1, run.job_template_id, 'controlhub', u.state, '{}', now() + interval '1 hour',
                   @owner, CASE WHEN @owner IS NOT NULL THEN now() + interval '1 minute' END, 1
              FROM run CROSS JOIN unnest(@ids, @states) WITH ORDINALITY AS u(id, state, ordinal);
            SELECT streamsets.refresh_run_state(@runId);
            """, new { runId, cancelRequested, states, ids = ids ?? states.Select(_ => Guid.CreateVersion7()).ToArray(), owner });
}
