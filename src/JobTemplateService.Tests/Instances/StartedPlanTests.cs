using Dapper;
using JobTemplateService.Instances;
using JobTemplateService.Platform;
using Npgsql;

namespace JobTemplateService.Tests;

/// <summary>
/// The launch's record of its started jobs (its hottest statement) is planned once per connection,
/// not on every call, for launches of one instance and of ten alike; and the one plan reads the
/// instances by primary key even on a new database whose tables were never analyzed. PostgreSQL's
/// own counters (pg_prepared_statements) and EXPLAIN say so.
/// </summary>
public sealed class StartedPlanTests : IAsyncLifetime
{
    private TestDatabase database = null!;

    public async Task InitializeAsync() => database = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task OnADatabaseWithStatisticsStartsOfEverySizeShareOnePlan()
    {
        // A database in use: 2,000 instances, analyzed.
        for (var run = 0; run < 200; run++) await SeedStartingRunAsync(10, Guid.CreateVersion7());
        await database.ExecuteAsync("ANALYZE");

        var statement = await RecordStartsAsync();

        // PostgreSQL makes five custom plans before it weighs a generic one. Arrays whose length it
        // could see made a one-instance launch look cheaper with a plan of its own: planned on every call.
        Assert.True(statement.CustomPlans <= 5, $"custom plans: {statement.CustomPlans}, generic: {statement.GenericPlans}");
        Assert.True(statement.GenericPlans >= 10, $"custom plans: {statement.CustomPlans}, generic: {statement.GenericPlans}");
        Assert.Contains("Index Scan using run_instance_pkey on run_instance", statement.Plan);
    }

    [Fact]
    public async Task OnANewDatabaseTheCachedPlanStillReadsByPrimaryKey()
    {
        // Never analyzed: the planner believes the tables nearly empty, and keeps the plan it made
        // then until the first ANALYZE, however large they have grown.
        var statement = await RecordStartsAsync();

        Assert.Contains("Index Scan using run_instance_pkey on run_instance", statement.Plan);
        Assert.DoesNotContain("Seq Scan on run_instance", statement.Plan);
    }

    /// <summary>
    /// Twenty launches' records on one connection prepared as the service prepares its statements
    /// (mostly one instance, as most launches are, then ten); the statement's plan counts and the
    /// plan it would execute now.
    /// </summary>
    private async Task<(long GenericPlans, long CustomPlans, string Plan)> RecordStartsAsync()
    {
        var settings = new NpgsqlConnectionStringBuilder(database.ConnectionString) { MaxPoolSize = 1, MaxAutoPrepare = 64, AutoPrepareMinUsages = 2 };
        await using var dataSource = NpgsqlDataSource.Create(settings.ConnectionString);
        var instances = new InstanceRepository(dataSource);
        var owner = Guid.CreateVersion7();
        for (var launch = 0; launch < 20; launch++)
        {
            var size = launch < 15 ? 1 : 10;
            var (runId, ids) = await SeedStartingRunAsync(size, owner);
            var jobs = ids.Select((id, n) => new StartedJob(id, $"job-{id:N}:org", $"Weather {n}")).ToList();
            var changed = await instances.RecordStartedAsync(runId, owner, ids.Select(id => new InstanceLease(id, 1)).ToList(), jobs,
                DateTime.UtcNow, TimeSpan.FromSeconds(10), null, CancellationToken.None);
            Assert.Equal(size, changed);
        }

        await using var connection = await dataSource.OpenConnectionAsync();
        var (name, generic, custom, parameters) = await connection.QuerySingleAsync<(string, long, long, int)>("""
            SELECT name, generic_plans, custom_plans, cardinality(parameter_types)
              FROM pg_prepared_statements WHERE statement LIKE '%UPDATE streamsets.run_instance i%platform_job_id = u.job_id%'
            """);
        var plan = await connection.QueryAsync<string>($"EXPLAIN EXECUTE {name}({string.Join(", ", Enumerable.Repeat("NULL", parameters))})");
        return (generic, custom, string.Join('\n', plan));
    }

    /// <summary>A run with this many STARTING instances, leased to owner at generation 1, as a launch's intent records them.</summary>
    private async Task<(Guid RunId, Guid[] Ids)> SeedStartingRunAsync(int size, Guid owner)
    {
        var runId = Guid.CreateVersion7();
        var ids = Enumerable.Range(0, size).Select(_ => Guid.CreateVersion7()).ToArray();
        await database.ExecuteAsync("""
            WITH template AS (
                INSERT INTO streamsets.job_template (sch_job_template_id) VALUES ('template:org') RETURNING job_template_id
            ), run AS (
                INSERT INTO streamsets.run (run_id, user_id, user_run_id, source_type, target_type, job_template_id,
                                            pattern_name, platform, platform_template_id)
                SELECT @runId, 'ada', 'run-1', 'http', 'gcs', job_template_id, 'http-to-gcs', 'controlhub', 'template:org' FROM template
                RETURNING run_id, job_template_id
            )
            INSERT INTO streamsets.run_instance (instance_id, run_id, ordinal, job_template_id, platform, state, parameters, deadline_at,
                                                 lease_owner, lease_expires_at, lease_generation)
            SELECT u.id, run.run_id, u.ordinal::int - 1, run.job_template_id, 'controlhub', 'STARTING', '{}', now() + interval '1 hour',
                   @owner, now() + interval '1 minute', 1
              FROM run CROSS JOIN unnest(@ids) WITH ORDINALITY AS u(id, ordinal)
            """, new { runId, ids, owner });
        return (runId, ids);
    }
}
