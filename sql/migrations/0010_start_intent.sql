-- 0010: a launch writes each instance it starts once, when the platform has answered. Until then
-- the instances it is starting are its run's start intent: their ids, ordinals and masked
-- parameters in one jsonb value, leased to the launching replica like an instance is. Before,
-- each was inserted STARTING and updated RUNNING a moment later; the update could never be
-- heap-only (it sets the platform job id and changes the state, both indexed), so a launch of ten
-- instances wrote twenty row versions and about ninety index entries where ten and fifty do.
-- A replica that dies holding a start intent leaves it to the monitors: once its lease expires,
-- they write its instances STARTING and reconcile them with the platform by the run's tag, as
-- they do any start whose outcome is unclear.
--
-- Readers see in-flight instances through streamsets.run_instance_now, and so do the template
-- limit's count and streamsets.refresh_run_state, which counts them as starting: a run whose
-- other instances (queued ones, canceled while it starts) all ended is not finished while they start.
--
-- compatibility: none
-- (a previous version reads instances from run_instance alone: it would not see the instances a
-- launch of this version is starting, nor sweep the start intents of a replica that died)

ALTER TABLE streamsets.run
    ADD COLUMN IF NOT EXISTS start_intent jsonb,
    ADD COLUMN IF NOT EXISTS start_owner uuid,
    ADD COLUMN IF NOT EXISTS start_lease_expires_at timestamptz;

-- A start intent of ten instances is a few kilobytes: compressed with LZ4 where the server can (as in 0009).
DO $$
BEGIN
    ALTER TABLE streamsets.run ALTER COLUMN start_intent SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
    RAISE NOTICE 'This server has no LZ4 support: start intents are compressed with pglz.';
END $$;

-- Start intents in flight: few at any time. The monitors' sweep finds the expired ones here, and
-- a template limit counts the instances they hold.
CREATE INDEX IF NOT EXISTS run_start_intent_idx ON streamsets.run (start_lease_expires_at)
    WHERE start_intent IS NOT NULL;

-- Every instance as a reader sees it now: those written, and those a launch is starting, which
-- are STARTING, leased to the launching replica, first attempt counted.
CREATE OR REPLACE VIEW streamsets.run_instance_now AS
SELECT i.instance_id, i.run_id, i.ordinal, i.job_template_id, i.platform, i.state, i.parameters, i.caller_secret_keys,
       i.platform_job_id, i.name, i.error, i.started_at, i.finished_at, i.deadline_at, i.next_check_at, i.lease_owner,
       i.lease_expires_at, i.lease_generation, i.launch_attempts, i.launch_sent_at, i.reconcile_missed_at, i.stop_reason,
       i.stop_requested_at, i.force_stopped_at, i.cleanup_pending, i.created_at, i.updated_at, i.live_input_records,
       i.live_output_records, i.live_error_records, i.live_reported_at, i.progress_at, i.snapshot_at, i.stalled_since
  FROM streamsets.run_instance i
UNION ALL
SELECT e.instance_id, r.run_id, e.ordinal, r.job_template_id, r.platform, 'STARTING'::varchar, e.parameters, e.caller_secret_keys,
       NULL::varchar, NULL::varchar, NULL::varchar, NULL::timestamptz, NULL::timestamptz,
       r.created_at + make_interval(secs => (r.start_intent ->> 'max_wait_seconds')::double precision),
       r.start_lease_expires_at, r.start_owner, r.start_lease_expires_at, 1::bigint, 1, r.created_at, NULL::timestamptz,
       NULL::varchar, NULL::timestamptz, NULL::timestamptz, false, r.created_at, r.updated_at, NULL::bigint,
       NULL::bigint, NULL::bigint, NULL::timestamptz, NULL::timestamptz, NULL::timestamptz, NULL::timestamptz
  FROM streamsets.run r
 CROSS JOIN jsonb_to_recordset(r.start_intent -> 'instances')
       AS e(instance_id uuid, ordinal int, parameters jsonb, caller_secret_keys varchar[])
 WHERE r.start_intent IS NOT NULL;

-- As in 0005, but counting the instances through run_instance_now.
CREATE OR REPLACE FUNCTION streamsets.refresh_run_state(p_run_id uuid) RETURNS varchar
LANGUAGE plpgsql AS $$
DECLARE
    v_old       varchar;
    v_cancel    timestamptz;
    v_new       varchar;
    v_total     int;
    v_terminal  int;
    v_succeeded int;
    v_stopped   int;
    v_failed    int;
    v_timed_out int;
    v_running   int;
BEGIN
    SELECT state, cancel_requested_at INTO v_old, v_cancel
      FROM streamsets.run WHERE run_id = p_run_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;

    SELECT count(*),
           count(*) FILTER (WHERE state IN ('SUCCEEDED', 'FAILED', 'CANCELED', 'TIMED_OUT', 'START_FAILED', 'STOPPED')),
           count(*) FILTER (WHERE state = 'SUCCEEDED'),
           count(*) FILTER (WHERE state = 'STOPPED'),
           count(*) FILTER (WHERE state IN ('FAILED', 'START_FAILED')),
           count(*) FILTER (WHERE state = 'TIMED_OUT'),
           count(*) FILTER (WHERE state = 'RUNNING')
      INTO v_total, v_terminal, v_succeeded, v_stopped, v_failed, v_timed_out, v_running
      FROM streamsets.run_instance_now WHERE run_id = p_run_id;

    v_new := CASE
        WHEN v_terminal < v_total THEN
            CASE WHEN v_running > 0 OR v_terminal > 0 THEN 'RUNNING' ELSE 'STARTING' END
        WHEN v_succeeded = v_total THEN 'SUCCEEDED'
        WHEN v_succeeded + v_stopped = v_total THEN 'STOPPED'
        WHEN v_cancel IS NOT NULL THEN 'CANCELED'
        WHEN v_failed > 0 THEN 'FAILED'
        WHEN v_timed_out > 0 THEN 'TIMED_OUT'
        ELSE 'CANCELED'
    END;

    IF v_new IS DISTINCT FROM v_old THEN
        UPDATE streamsets.run
           SET state = v_new,
               updated_at = now(),
               finished_at = CASE WHEN v_terminal = v_total THEN now() END
         WHERE run_id = p_run_id;
        IF v_terminal = v_total THEN
            PERFORM pg_notify('jts_run_finished', p_run_id::text);
            INSERT INTO streamsets.callback_delivery (delivery_id, run_id)
            SELECT gen_random_uuid(), run_id FROM streamsets.run
             WHERE run_id = p_run_id AND callback_url IS NOT NULL
            ON CONFLICT (run_id) DO NOTHING;
        END IF;
    END IF;
    RETURN v_new;
END $$;
