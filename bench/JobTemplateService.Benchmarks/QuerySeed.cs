namespace JobTemplateService.Benchmarks;

/// <summary>
/// Bulk-loads the query scenario's history with generate_series. Runs: a few (3) per user-run-id,
/// 3 instances each, all finished with one metrics row per instance (9 rows per user-run-id). The
/// rest of the metrics rows are the original service's migrated rows (no run), 10 per user-run-id.
/// Ids are time-ordered like the service's UUIDv7; metrics ids follow finish times.
/// </summary>
internal static class QuerySeed
{
    public const int RunsPerUserRunId = 3, InstancesPerRun = 3, LegacyRowsPerUserRunId = 10;

    /// <summary>One metrics row per finished instance, in finish order (as the monitor writes them).</summary>
    public const string MetricsOfInstances = """
            INSERT INTO streamsets.job_run_metrics (instance_id, run_id, user_id, user_run_id, job_template_id, platform_job_id,
                engine_id, pipeline_id, successful_run, final_state, run_count, input_record_count, output_record_count,
                error_record_count, error_message, start_time, finish_time, recorded_at)
            SELECT i.instance_id, i.run_id, r.user_id, r.user_run_id, r.job_template_id, i.platform_job_id, 'engine-1', 'pipeline-1',
                   i.state = 'SUCCEEDED', i.state, 1, 1000, 990, 10, CASE WHEN i.state = 'FAILED' THEN 'JOBRUNNER_64 - Force stopping job' END,
                   i.started_at, i.finished_at, i.finished_at
              FROM streamsets.run_instance i JOIN streamsets.run r ON r.run_id = i.run_id
             ORDER BY i.finished_at, i.instance_id;
        """;

    public static QueryData Plan(int metricsRows, int runs)
    {
        var runUserRunIds = (runs + RunsPerUserRunId - 1) / RunsPerUserRunId;
        var legacyRows = Math.Max(metricsRows - runs * InstancesPerRun, 0);
        return new QueryData(runs, runs * InstancesPerRun + legacyRows, runUserRunIds, legacyRows / LegacyRowsPerUserRunId, legacyRows);
    }

    public static async Task LoadAsync(BenchDatabase database, QueryData data)
    {
        await database.ExecuteAsync("""
            INSERT INTO streamsets.job_run_metrics (instance_id, run_id, user_id, user_run_id, job_template_id, platform_job_id,
                engine_id, pipeline_id, successful_run, final_state, run_count, input_record_count, output_record_count,
                error_record_count, error_message, start_time, finish_time, recorded_at)
            SELECT NULL, NULL, 'user-' || (g % 500) || '@example.com', 'legacy-' || ((g - 1) / @LegacyRowsPerUserRunId), @JobTemplateId,
                   md5('legacy' || g) || ':8030c2e9-1a39-11ec-a5fe-97c8d4369386', 'engine-1', 'pipeline-1', g % 10 <> 0,
                   CASE WHEN g % 10 <> 0 THEN 'SUCCEEDED' ELSE 'FAILED' END, 1, 1000 + g % 1000, 990 + g % 1000, 10,
                   CASE WHEN g % 10 = 0 THEN 'JOBRUNNER_64 - Force stopping job' END,
                   t - interval '5 minutes', t, t
              FROM generate_series(1, @LegacyRows) g, LATERAL (SELECT timestamptz '2024-01-01' + g * interval '10 seconds' AS t) ts;

            INSERT INTO streamsets.run (run_id, user_id, user_run_id, source_type, target_type, job_template_id, pattern_name, platform,
                                        platform_template_id, state, created_at, updated_at, finished_at)
            SELECT (lpad(to_hex((extract(epoch FROM t) * 1000)::bigint), 12, '0') || '7' || substr(md5('run' || g), 1, 19))::uuid,
                   'user-' || (g % 500) || '@example.com', 'run-' || (g % @RunUserRunIds), 'http', 'gcs', @JobTemplateId, 'http-to-gcs',
                   'controlhub', @PlatformTemplateId, CASE WHEN g % 10 = 0 THEN 'FAILED' ELSE 'SUCCEEDED' END, t, t + interval '5 minutes',
                   t + interval '5 minutes'
              FROM generate_series(1, @Runs) g, LATERAL (SELECT timestamptz '2025-01-01' + g * interval '1 minute' AS t) ts;

            INSERT INTO streamsets.run_instance (instance_id, run_id, ordinal, job_template_id, platform, state, parameters,
                                                 platform_job_id, name, started_at, finished_at, deadline_at, next_check_at,
                                                 lease_generation, launch_attempts, launch_sent_at)
            SELECT md5(r.run_id::text || o)::uuid, r.run_id, o, r.job_template_id, 'controlhub',
                   CASE WHEN r.state = 'FAILED' AND o = 0 THEN 'FAILED' ELSE 'SUCCEEDED' END,
                   jsonb_build_object('CITY', 'City ' || o, 'GCS_BUCKET', 'bucket', 'GCS_CONNECTION', 'conn', 'GCS_FOLDER', 'folder-' || o,
                                      'HTTP_MODE', 'POLLING', 'HTTP_URL', 'http://api.example.com/weather'),
                   md5(r.run_id::text || 'job' || o) || ':8030c2e9-1a39-11ec-a5fe-97c8d4369386', 'REST API to GCS - ' || (o + 1),
                   r.created_at, r.finished_at, r.created_at + interval '4 hours', r.finished_at, 2, 1, r.created_at
              FROM streamsets.run r CROSS JOIN generate_series(0, @InstancesPerRun - 1) o;

            """ + MetricsOfInstances, new
        {
            data.LegacyRows, LegacyRowsPerUserRunId, data.Runs, data.RunUserRunIds, InstancesPerRun,
            database.JobTemplateId, Postgres.PlatformTemplateId,
        });
        await database.ExecuteAsync("VACUUM ANALYZE");
    }
}

/// <summary>How much history the query scenario holds.</summary>
internal sealed record QueryData(int Runs, int MetricsRows, int RunUserRunIds, int LegacyUserRunIds, int LegacyRows)
{
    public int Instances => Runs * QuerySeed.InstancesPerRun;
}
