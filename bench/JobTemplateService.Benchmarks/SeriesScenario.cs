using System.Diagnostics;
using FakeControlHub;

namespace JobTemplateService.Benchmarks;

/// <summary>
/// Snapshot series: N snapshot rows bulk-loaded with generate_series (instances × snapshots each,
/// written minute after minute across all instances as the monitor writes them, so one instance's
/// rows are spread over the table), then GET /v1/runs/{run}/instances/{i}/metrics one at a time
/// for random instances, each answering that instance's whole series. Also the database's own plan.
/// </summary>
internal sealed class SeriesScenario(BenchSettings settings, Postgres postgres, HttpClient control)
{
    public async Task<SeriesResults> RunAsync()
    {
        var sizes = settings.Sizes;
        await using var database = await postgres.CreateDatabaseAsync("bench_series");
        var perInstance = sizes.SnapshotRows / sizes.SnapshotInstances;
        var loading = Stopwatch.StartNew();
        await LoadAsync(database, sizes.SnapshotInstances, perInstance);
        var rows = await database.ScalarAsync<long>("SELECT count(*) FROM streamsets.instance_metric_snapshot");
        var size = await database.ScalarAsync<string>(
            "SELECT pg_size_pretty(pg_total_relation_size('streamsets.instance_metric_snapshot'))");
        Log.Info($"series: loaded {rows:N0} snapshots ({size}) in {loading.Elapsed.TotalSeconds:0} s");
        var instances = await database.QueryAsync<(Guid RunId, int Ordinal)>("SELECT run_id, ordinal FROM streamsets.run_instance");

        var fake = new FakeOptions();
        await using var hub = await FakeControlHubServer.StartAsync(fake);
        var environment = ServiceEnvironment.For(postgres, database, hub, fake, settings.Work, ServiceEnvironment.FreePort(),
            monitor: false, sizes.PollInterval);
        await using var service = ServiceProcess.Start(settings.ServiceDll, [], environment, Path.Combine(settings.Work, "series-service.log"));
        await service.WaitReadyAsync(control, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(100));

        var random = new Random(42);
        string Url()
        {
            var (runId, ordinal) = instances[random.Next(instances.Count)];
            return $"{service.Url}/v1/runs/{runId}/instances/{ordinal}/metrics?limit=10000";
        }
        using var client = LoadGenerator.CreateClient();
        await QueryScenario.SequentialAsync(client, Url, sizes.QueryRequests / 4);
        var runs = new List<QueryRun>();
        for (var repetition = 1; repetition <= sizes.Repetitions; repetition++)
        {
            runs.Add(await QueryScenario.SequentialAsync(client, Url, sizes.QueryRequests));
            Log.Info($"series rep {repetition}: p50 {runs[^1].LatencyMs.P50:0.00} p95 {runs[^1].LatencyMs.P95:0.00} " +
                     $"p99 {runs[^1].LatencyMs.P99:0.00} ms ({runs[^1].RowsPerResponse:0} snapshots each)");
        }
        var (sample, _) = instances[0];
        var plan = await database.QueryAsync<string>("""
            EXPLAIN (ANALYZE, BUFFERS)
            SELECT s.reported_at, s.input_record_count, s.output_record_count, s.error_record_count
              FROM streamsets.instance_metric_snapshot s
             WHERE s.instance_id = (SELECT instance_id FROM streamsets.run_instance WHERE run_id = @sample AND ordinal = 0)
               AND s.reported_at > '-infinity' ORDER BY s.reported_at LIMIT 10001
            """, new { sample });
        return new SeriesResults(rows, sizes.SnapshotInstances, perInstance, size, runs, new QueryPlan("one instance's series", plan));
    }

    /// <summary>Runs of 10 running instances, and their snapshots one minute apart, all instances' minute n before minute n + 1.</summary>
    private static async Task LoadAsync(BenchDatabase database, int instances, int perInstance)
    {
        await database.ExecuteAsync("""
            INSERT INTO streamsets.run (run_id, user_id, user_run_id, source_type, target_type, job_template_id, pattern_name, platform,
                                        platform_template_id, state)
            SELECT md5('series-run' || g)::uuid, 'bench@example.com', 'series-' || g, 'http', 'gcs', @JobTemplateId, 'http-to-gcs',
                   'controlhub', @PlatformTemplateId, 'RUNNING'
              FROM generate_series(0, (@instances - 1) / 10) g;
            INSERT INTO streamsets.run_instance (instance_id, run_id, ordinal, job_template_id, platform, state, parameters, platform_job_id,
                                                 started_at, next_check_at, lease_generation, launch_attempts)
            SELECT md5('series-instance' || g)::uuid, md5('series-run' || (g / 10))::uuid, g % 10, @JobTemplateId, 'controlhub', 'RUNNING',
                   '{}', 'series-job-' || g, timestamptz '2026-01-01', now() + interval '1 day', 1, 1
              FROM generate_series(0, @instances - 1) g;
            """, new { database.JobTemplateId, Postgres.PlatformTemplateId, instances, perInstance });
        // Loading only: no foreign key checks row by row (session_replication_role), and the indexes built once at the end.
        await database.ExecuteAsync("""
            SET session_replication_role = replica;
            ALTER TABLE streamsets.instance_metric_snapshot DROP CONSTRAINT instance_metric_snapshot_pkey;
            DROP INDEX streamsets.instance_metric_snapshot_reported_at_idx;
            INSERT INTO streamsets.instance_metric_snapshot (instance_id, reported_at, input_record_count, output_record_count, error_record_count)
            SELECT md5('series-instance' || g)::uuid, timestamptz '2026-01-01' + n * interval '1 minute', n * 1000, n * 990, n / 100
              FROM generate_series(1, @perInstance) n CROSS JOIN generate_series(0, @instances - 1) g;
            ALTER TABLE streamsets.instance_metric_snapshot ADD PRIMARY KEY (instance_id, reported_at)
                INCLUDE (input_record_count, output_record_count, error_record_count);
            CREATE INDEX instance_metric_snapshot_reported_at_idx ON streamsets.instance_metric_snapshot (reported_at);
            SET session_replication_role = origin;
            """, new { instances, perInstance });
        await database.ExecuteAsync("VACUUM ANALYZE");
    }
}

internal sealed record SeriesResults(long Rows, int Instances, int PerInstance, string TableSize, IReadOnlyList<QueryRun> Runs, QueryPlan Plan);
