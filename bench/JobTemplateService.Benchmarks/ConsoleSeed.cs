namespace JobTemplateService.Benchmarks;

/// <summary>
/// The console scenario's catalog and history, bulk-loaded with generate_series: templates beside the
/// database's one rule (titles, Markdown descriptions, owners, 2 of 12 tags each), and runs spread over
/// every template and the last 60 days, one in ten FAILED, 3 finished instances each with a metrics row.
/// </summary>
internal static class ConsoleSeed
{
    public const int InstancesPerRun = 3, Tags = 12, Days = 60;

    public static async Task LoadAsync(BenchDatabase database, int templates, int runs)
    {
        await database.ExecuteAsync("""
            UPDATE streamsets.job_template SET title = 'HTTP to GCS', owner = 'bench@example.com', tags = '{bench,tag-0}',
                   description = 'Polls an **HTTP** endpoint and writes the records to a *GCS* folder.'
             WHERE job_template_id = @JobTemplateId;

            WITH numbers AS (SELECT g FROM generate_series(1, @Extra) g),
            patterns AS (
                INSERT INTO streamsets.ingestion_pattern (pattern_name, source, destination)
                SELECT 'template-' || g, 'source-' || g, 'target-' || g FROM numbers RETURNING ingestion_pattern_id, pattern_name
            ), jobs AS (
                INSERT INTO streamsets.job_template (sch_job_template_id, title, owner, tags, description, source_runtime_parameters)
                SELECT @PlatformTemplateId, 'Template ' || g, 'team-' || (g % 20) || '@example.com',
                       ARRAY['tag-' || (g % @Tags), 'tag-' || ((g * 7 + 3) % @Tags)],
                       'Moves **source ' || g || '** to *target ' || g || '*; see `docs/template-' || g || '.md`.',
                       jsonb_build_object('TEMPLATE', 'template-' || g)
                  FROM numbers RETURNING job_template_id, source_runtime_parameters ->> 'TEMPLATE' AS pattern_name
            )
            INSERT INTO streamsets.ingestion_pattern_job_template_relationship (ingestion_pattern_id, job_template_id)
            SELECT p.ingestion_pattern_id, j.job_template_id FROM patterns p JOIN jobs j USING (pattern_name);

            CREATE TEMP TABLE bench_templates AS
            SELECT row_number() OVER (ORDER BY t.job_template_id) - 1 AS n, t.job_template_id, p.pattern_name, p.source, p.destination
              FROM streamsets.job_template t
              JOIN streamsets.ingestion_pattern_job_template_relationship r ON r.job_template_id = t.job_template_id
              JOIN streamsets.ingestion_pattern p ON p.ingestion_pattern_id = r.ingestion_pattern_id;

            INSERT INTO streamsets.run (run_id, user_id, user_run_id, source_type, target_type, job_template_id, pattern_name, platform,
                                        platform_template_id, state, created_at, updated_at, finished_at)
            SELECT (lpad(to_hex((extract(epoch FROM ts.t) * 1000)::bigint), 12, '0') || '7' || substr(md5('run' || g), 1, 19))::uuid,
                   'user-' || (g % 50) || '@example.com', 'run-' || g, b.source, b.destination, b.job_template_id, b.pattern_name,
                   'controlhub', @PlatformTemplateId, CASE WHEN g % 10 = 0 THEN 'FAILED' ELSE 'SUCCEEDED' END,
                   ts.t, ts.t + interval '5 minutes', ts.t + interval '5 minutes'
              FROM generate_series(1, @Runs) g
              JOIN bench_templates b ON b.n = g % (SELECT count(*) FROM bench_templates),
              LATERAL (SELECT now() - interval '1 hour' - (@Runs - g) * (interval '1 day' * @Days / @Runs) AS t) ts;

            INSERT INTO streamsets.run_instance (instance_id, run_id, ordinal, job_template_id, platform, state, parameters,
                                                 platform_job_id, name, started_at, finished_at, deadline_at, next_check_at,
                                                 lease_generation, launch_attempts, launch_sent_at)
            SELECT md5(r.run_id::text || o)::uuid, r.run_id, o, r.job_template_id, 'controlhub',
                   CASE WHEN r.state = 'FAILED' AND o = 0 THEN 'FAILED' ELSE 'SUCCEEDED' END,
                   jsonb_build_object('CITY', 'City ' || o, 'FOLDER', 'folder-' || o),
                   md5(r.run_id::text || 'job' || o) || ':8030c2e9-1a39-11ec-a5fe-97c8d4369386', r.pattern_name || ' - ' || (o + 1),
                   r.created_at, r.finished_at, r.created_at + interval '4 hours', r.finished_at, 2, 1, r.created_at
              FROM streamsets.run r CROSS JOIN generate_series(0, @InstancesPerRun - 1) o;

            """ + QuerySeed.MetricsOfInstances, new
        {
            database.JobTemplateId, Extra = templates - 1, Tags, Postgres.PlatformTemplateId, Runs = runs, Days, InstancesPerRun,
        });
        await database.ExecuteAsync("VACUUM ANALYZE");
    }
}
