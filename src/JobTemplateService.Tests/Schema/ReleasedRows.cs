using System.Text;

namespace JobTemplateService.Tests;

/// <summary>
/// Representative rows for a released schema, written as that version's service left them:
/// templates, a run in every run state and an instance in every instance state (some holding
/// leases), metrics, idempotency records, replicas and, where the version has the tables, API
/// keys, instance logs and callbacks. Run <see cref="Running"/> is left RUNNING on a platform job
/// that is still active.
/// </summary>
public static class ReleasedRows
{
    public static readonly Guid Starting = Id(1), Running = Id(2), Succeeded = Id(3), Failed = Id(4), Canceled = Id(5), TimedOut = Id(6);
    public static readonly Guid[] Runs = [Starting, Running, Succeeded, Failed, Canceled, TimedOut];
    private static readonly Guid LiveReplica = Id(101), DeadReplica = Id(102);

    private sealed record Instance(int Number, Guid Run, string State, string? JobId = null, string? Error = null, bool Finished = false,
        Guid? LeaseOwner = null, string LeaseExpires = "NULL", string? StopReason = null);

    public static async Task InsertAsync(TestDatabase database, string monitoredJobId)
    {
        var columns = (await database.QueryAsync<string>(
            "SELECT table_name || '.' || column_name FROM information_schema.columns WHERE table_schema = 'streamsets'")).ToHashSet();
        var sql = new StringBuilder(Templates);
        sql.Append(RunsSql);
        sql.Append(Instances(columns, monitoredJobId));
        sql.Append(Metrics);
        if (columns.Contains("api_key.key_id")) sql.Append(ApiKeys);
        if (columns.Contains("instance_log.line")) sql.Append(Logs);
        if (columns.Contains("callback_delivery.state")) sql.Append(Callbacks);
        await database.ExecuteAsync(sql.ToString());
    }

    private static Guid Id(int n) => Guid.Parse($"00000000-0000-4000-8000-{n:D12}");

    private static string Instances(HashSet<string> columns, string monitoredJobId)
    {
        var hasTemplate = columns.Contains("run_instance.job_template_id");
        var hasMissed = columns.Contains("run_instance.reconcile_missed_at");
        var future = "now() + interval '1 hour'";
        Instance[] instances =
        [
            new(1, Starting, "QUEUED"),
            new(2, Starting, "PENDING", LeaseOwner: LiveReplica, LeaseExpires: future),
            new(3, Starting, "STARTING", LeaseOwner: LiveReplica, LeaseExpires: future),
            new(4, Running, "RUNNING", monitoredJobId, LeaseOwner: DeadReplica, LeaseExpires: "now() - interval '1 minute'"),
            new(5, Succeeded, "SUCCEEDED", "job-5:org", Finished: true),
            new(6, Failed, "FAILED", "job-6:org", JobScript.ForceStopMessage, Finished: true),
            new(7, Failed, "START_FAILED", Error: "Control Hub refused the template (JOBRUNNER_01)", Finished: true),
            new(8, Canceled, "CANCELED", "job-8:org", Finished: true, StopReason: "CANCEL"),
            new(9, TimedOut, "TIMED_OUT", "job-9:org", "Did not finish within 1 hour", Finished: true, StopReason: "TIMEOUT"),
        ];
        var sql = new StringBuilder($"""
            INSERT INTO streamsets.run_instance (instance_id, run_id, ordinal, {(hasTemplate ? "job_template_id, " : "")}platform, state,
                parameters, caller_secret_keys, platform_job_id, name, error, started_at, finished_at, deadline_at, next_check_at,
                lease_owner, lease_expires_at, lease_generation, launch_attempts, launch_sent_at, {(hasMissed ? "reconcile_missed_at, " : "")}
                stop_reason, stop_requested_at, force_stopped_at, cleanup_pending)
            VALUES

            """);
        sql.AppendJoin(",\n", instances.Select(i => $$"""
                ('{{Id(i.Number)}}', '{{i.Run}}', {{(i.Number == 2 || i.Number == 3 ? i.Number - 1 : i.Number == 7 ? 1 : 0)}}, {{(hasTemplate ? "1, " : "")}}'controlhub', '{{i.State}}',
                 '{"CITY": "City {{i.Number}}", "HTTP_MODE": "POLLING"}', '{}', {{Text(i.JobId)}}, {{Text(i.JobId is null ? null : $"REST API to GCS - {i.Number}")}},
                 {{Text(i.Error)}}, {{(i.JobId is null ? "NULL" : "now() - interval '2 minutes'")}}, {{(i.Finished ? "now() - interval '1 minute'" : "NULL")}},
                 now() + interval '1 day', now() - interval '1 second', {{Text(i.LeaseOwner?.ToString())}}::uuid, {{i.LeaseExpires}}, {{i.Number}}, {{(i.State == "QUEUED" ? 0 : 1)}},
                 {{(i.State is "QUEUED" or "PENDING" ? "NULL" : "now() - interval '2 minutes'")}}, {{(hasMissed ? (i.State == "STARTING" ? "now() - interval '5 seconds', " : "NULL, ") : "")}}
                 {{Text(i.StopReason)}}, {{(i.StopReason is null ? "NULL" : "now() - interval '90 seconds'")}}, {{(i.State == "TIMED_OUT" ? "now() - interval '70 seconds'" : "NULL")}}, false)
            """));
        return sql.Append(";\n").ToString();
    }

    private static string Text(string? value) => value is null ? "NULL" : $"'{value.Replace("'", "''")}'";

    private const string Templates = $$"""
        INSERT INTO streamsets.ingestion_pattern (pattern_name, source, destination)
        VALUES ('http-to-gcs', 'http', 'gcs'), ('sftp-to-s3', 'sftp', 's3');
        INSERT INTO streamsets.job_template (sch_job_template_id, source_runtime_parameters, destination_connection_info,
                                             required_parameters, secret_parameters, max_wait, description)
        VALUES ('{{RunHelpers.TemplateId}}', '{"HTTP_MODE": "POLLING"}', '{"GCS_CONNECTION": "gcs-1"}', '{CITY}', '{}', interval '1 hour', 'REST API to GCS'),
               ('sftp-template:org', '{}', '{}', '{}', '{PASSWORD}', interval '4 hours', NULL);
        INSERT INTO streamsets.ingestion_pattern_job_template_relationship (ingestion_pattern_id, job_template_id, schedule)
        VALUES (1, 1, '{}'), (2, 2, NULL);
        INSERT INTO streamsets.service_replica (replica_id, host_name, process_id, started_at, heartbeat_at)
        VALUES ('{{LiveReplicaText}}', 'replica-a', 4242, now() - interval '1 day', now()),
               ('{{DeadReplicaText}}', 'replica-b', 4343, now() - interval '1 day', now() - interval '1 hour');

        """;

    private const string LiveReplicaText = "00000000-0000-4000-8000-000000000101", DeadReplicaText = "00000000-0000-4000-8000-000000000102";

    private static string RunsSql => $$"""
        INSERT INTO streamsets.run (run_id, user_id, user_run_id, source_type, target_type, job_template_id, pattern_name, platform,
                                    platform_template_id, state, requested_by, cancel_requested_at, created_at, updated_at, finished_at)
        VALUES {{string.Join(",\n       ", Runs.Select((run, i) => $$"""
            ('{{run}}', 'ada@example.com', 'nightly-{{i + 1}}', 'http', 'gcs', 1, 'http-to-gcs', 'controlhub', '{{RunHelpers.TemplateId}}',
                    '{{StateOf(i)}}', 'ci-key', {{(run == Canceled ? "now() - interval '100 seconds'" : "NULL")}}, now() - interval '3 minutes', now(),
                    {{(i >= 2 ? "now() - interval '1 minute'" : "NULL")}})
            """))}};
        INSERT INTO streamsets.launch_request (scope, request_key, key_kind, fingerprint, run_id, response_status, response_body,
                                               created_at, completed_at, expires_at)
        VALUES ('ada@example.com', 'deploy-7', 'header', 'sha256:aa', '{{Succeeded}}', 202, '{"run-id": "{{Succeeded}}", "state": "STARTING"}',
                now() - interval '3 minutes', now() - interval '3 minutes', now() + interval '1 day'),
               ('ada@example.com', 'nightly-9|http|gcs', 'natural', 'sha256:bb', NULL, NULL, NULL, now(), NULL, now() + interval '1 day');

        """;

    private static string StateOf(int i) => new[] { "STARTING", "RUNNING", "SUCCEEDED", "FAILED", "CANCELED", "TIMED_OUT" }[i];

    private static string Metrics => $"""
        INSERT INTO streamsets.job_run_metrics (instance_id, run_id, user_id, user_run_id, job_template_id, platform_job_id, engine_id,
            pipeline_id, successful_run, final_state, run_count, input_record_count, output_record_count, error_record_count,
            error_message, start_time, finish_time)
        VALUES ('{Id(5)}', '{Succeeded}', 'ada@example.com', 'nightly-3', 1, 'job-5:org', 'engine-1', 'pipeline-1', true, 'SUCCEEDED', 1,
                3000000000, 3000000000, 0, NULL, now() - interval '2 minutes', now() - interval '1 minute'),
               ('{Id(6)}', '{Failed}', 'ada@example.com', 'nightly-4', 1, 'job-6:org', 'engine-1', 'pipeline-1', false, 'FAILED', 1,
                1499, 1499, 0, '{JobScript.ForceStopMessage}', now() - interval '2 minutes', now() - interval '1 minute'),
               ('{Id(8)}', '{Canceled}', 'ada@example.com', 'nightly-5', 1, 'job-8:org', NULL, NULL, false, 'CANCELED', NULL,
                NULL, NULL, NULL, NULL, now() - interval '2 minutes', NULL),
               ('{Id(9)}', '{TimedOut}', 'ada@example.com', 'nightly-6', 1, 'job-9:org', 'engine-1', 'pipeline-1', false, 'TIMED_OUT', 1,
                10, 7, 2, 'Did not finish within 1 hour', now() - interval '2 minutes', now() - interval '1 minute'),
               (NULL, NULL, 'mark@onefoursix.com', 'run-123', 1, 'job-london:org', 'engine-1', 'pipeline-1:org', true, 'SUCCEEDED', NULL,
                12482, 12482, 0, NULL, '2023-12-08 10:15:00+00', '2023-12-08 10:16:40+00');

        """;

    private const string ApiKeys = """
        INSERT INTO streamsets.api_key (key_id, name, prefix, key_hash, scopes, created_at, last_used_at, revoked_at)
        VALUES ('00000000-0000-4000-8000-000000000201', 'ci', 'k3y1', sha256('jts_k3y1_secret'::bytea), '{launch,read}', now() - interval '1 day', now(), NULL),
               ('00000000-0000-4000-8000-000000000202', 'old-admin', 'k3y2', sha256('jts_k3y2_secret'::bytea), '{admin}', now() - interval '2 days', NULL, now());

        """;

    private const string Logs = """
        INSERT INTO streamsets.instance_log (instance_id, line_no, stream, line)
        VALUES ('00000000-0000-4000-8000-000000000004', 1, 'stdout', 'reading page 1'),
               ('00000000-0000-4000-8000-000000000004', 2, 'stderr', 'slow response, retrying');

        """;

    private static string Callbacks => $"""
        UPDATE streamsets.run SET callback_url = 'https://hooks.example.com/jts', callback_secret = 'hook-secret'
         WHERE run_id IN ('{Succeeded}', '{Failed}');
        INSERT INTO streamsets.callback_delivery (delivery_id, run_id, state, attempts, next_attempt_at, last_status, last_error, created_at, delivered_at)
        VALUES ('00000000-0000-4000-8000-000000000301', '{Succeeded}', 'DELIVERED', 1, now(), 200, NULL, now() - interval '1 minute', now()),
               ('00000000-0000-4000-8000-000000000302', '{Failed}', 'FAILED', 8, now(), 500, 'HTTP 500 from the receiver', now() - interval '1 minute', NULL);

        """;
}
