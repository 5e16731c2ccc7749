using FakeControlHub;

namespace JobTemplateService.Benchmarks;

/// <summary>
/// Puts N instances in flight at once without launching them one by one: the fake creates the jobs
/// (in runs of several instances, each tagged with its run like a real launch), and one statement
/// per table records them as RUNNING instances, due for their first check now and unnamed, exactly
/// as a launch leaves them.
/// </summary>
internal static class MonitorSeed
{
    public static async Task SeedAsync(BenchDatabase database, FakeControlHubServer hub, int instances, int perRun)
    {
        var runIds = new List<Guid>();
        var instanceIds = new List<Guid>();
        var instanceRuns = new List<Guid>();
        var ordinals = new List<int>();
        var jobIds = new List<string>();
        for (var created = 0; created < instances; created += perRun)
        {
            var runId = Guid.CreateVersion7();
            var sets = Enumerable.Range(0, Math.Min(perRun, instances - created))
                .Select(i => new Dictionary<string, string> { ["CITY"] = $"City {i}" }).ToList();
            var jobs = hub.Jobs.Create(Postgres.PlatformTemplateId,
                new CreationInfo("COUNTER", null, sets, true, false, null, null, [$"jts-run-{runId:N}"]));
            runIds.Add(runId);
            for (var i = 0; i < jobs.Count; i++)
            {
                instanceIds.Add(Guid.CreateVersion7());
                instanceRuns.Add(runId);
                ordinals.Add(i);
                jobIds.Add(jobs[i].Id);
            }
        }

        await database.ExecuteAsync("""
            INSERT INTO streamsets.run (run_id, user_id, user_run_id, source_type, target_type, job_template_id, pattern_name,
                                        platform, platform_template_id, state)
            SELECT u.run_id, 'bench@example.com', 'monitor-' || u.n, @SourceType, @TargetType, @JobTemplateId, 'http-to-gcs',
                   'controlhub', @PlatformTemplateId, 'RUNNING'
              FROM unnest(@runIds) WITH ORDINALITY AS u(run_id, n);
            INSERT INTO streamsets.run_instance (instance_id, run_id, ordinal, job_template_id, platform, state, parameters,
                                                 platform_job_id, started_at, deadline_at, next_check_at, lease_generation,
                                                 launch_attempts, launch_sent_at)
            SELECT u.instance_id, u.run_id, u.ordinal, @JobTemplateId, 'controlhub', 'RUNNING', jsonb_build_object('CITY', 'City ' || u.ordinal),
                   u.job_id, now(), now() + interval '4 hours', now(), 1, 1, now()
              FROM unnest(@instanceIds, @instanceRuns, @ordinals, @jobIds) AS u(instance_id, run_id, ordinal, job_id);
            ANALYZE streamsets.run, streamsets.run_instance;
            """, new
        {
            BenchDatabase.SourceType, BenchDatabase.TargetType, database.JobTemplateId, Postgres.PlatformTemplateId,
            runIds = runIds.ToArray(), instanceIds = instanceIds.ToArray(), instanceRuns = instanceRuns.ToArray(),
            ordinals = ordinals.ToArray(), jobIds = jobIds.ToArray(),
        });
    }
}
