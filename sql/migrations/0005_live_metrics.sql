-- 0005: jobs you can watch while they run. Live record counts and their snapshots, streaming
-- templates and the STOPPED state, data-aware success criteria, stalls and their callback event.
--
-- Not marked backward compatible: the previous version does not know the STOPPED state (its
-- outcome endpoint would keep answering 202 for a stopped streaming run) nor a stop for a stall,
-- and it would give streaming instances a 4-hour max wait. Replace every replica.

SET LOCAL client_min_messages = warning;

-- ---------------------------------------------------------------------------------------------
-- Template options. max_wait NULL means "not set": 4 hours for a batch template, no max wait for
-- a streaming one (existing rows keep the 4 hours the old default gave them).
-- ---------------------------------------------------------------------------------------------

ALTER TABLE streamsets.job_template
    ADD COLUMN IF NOT EXISTS kind varchar NOT NULL DEFAULT 'batch'
        CONSTRAINT job_template_kind_check CHECK (kind IN ('batch', 'streaming')),
    ADD COLUMN IF NOT EXISTS min_input_records bigint
        CONSTRAINT job_template_min_input_records_check CHECK (min_input_records >= 0),
    ADD COLUMN IF NOT EXISTS min_output_records bigint
        CONSTRAINT job_template_min_output_records_check CHECK (min_output_records >= 0),
    ADD COLUMN IF NOT EXISTS max_error_records bigint
        CONSTRAINT job_template_max_error_records_check CHECK (max_error_records >= 0),
    -- errors ÷ input; NaN sorts above every number in PostgreSQL, so it is refused too
    ADD COLUMN IF NOT EXISTS max_error_ratio double precision
        CONSTRAINT job_template_max_error_ratio_check CHECK (max_error_ratio >= 0 AND max_error_ratio <= 1),
    ADD COLUMN IF NOT EXISTS stall_after interval
        CONSTRAINT job_template_stall_after_check CHECK (stall_after > interval '0'),
    ADD COLUMN IF NOT EXISTS stall_action varchar NOT NULL DEFAULT 'mark'
        CONSTRAINT job_template_stall_action_check CHECK (stall_action IN ('mark', 'fail'));

ALTER TABLE streamsets.job_template
    ALTER COLUMN max_wait DROP NOT NULL,
    ALTER COLUMN max_wait DROP DEFAULT;

-- ---------------------------------------------------------------------------------------------
-- Instances: the latest counts the platform reported (and when, by its clock), when they last
-- moved (database time), the platform time of the latest snapshot, and since when the instance
-- is stalled. deadline_at NULL: no max wait (a streaming instance without one).
-- ---------------------------------------------------------------------------------------------

ALTER TABLE streamsets.run_instance
    ALTER COLUMN deadline_at DROP NOT NULL,
    ADD COLUMN IF NOT EXISTS live_input_records bigint,
    ADD COLUMN IF NOT EXISTS live_output_records bigint,
    ADD COLUMN IF NOT EXISTS live_error_records bigint,
    ADD COLUMN IF NOT EXISTS live_reported_at timestamptz,
    ADD COLUMN IF NOT EXISTS progress_at timestamptz,
    ADD COLUMN IF NOT EXISTS snapshot_at timestamptz,
    ADD COLUMN IF NOT EXISTS stalled_since timestamptz;

-- A running instance is written on every poll: claimed (its lease), its counts, released (its next
-- check). Only the last changes an indexed column; room left on each page lets the others be
-- heap-only updates that touch no index (for pages filled from now on).
ALTER TABLE streamsets.run_instance SET (fillfactor = 70);

-- STOPPED: a streaming instance stopped on request that ended cleanly. STALL: stopped because it
-- stalled and its template says stall_action = 'fail'.
ALTER TABLE streamsets.run_instance DROP CONSTRAINT IF EXISTS run_instance_state_check;
ALTER TABLE streamsets.run_instance ADD CONSTRAINT run_instance_state_check CHECK (state IN (
    'QUEUED', 'PENDING', 'STARTING', 'RUNNING',
    'SUCCEEDED', 'FAILED', 'CANCELED', 'TIMED_OUT', 'START_FAILED', 'STOPPED'));
ALTER TABLE streamsets.run_instance DROP CONSTRAINT IF EXISTS run_instance_stop_reason_check;
ALTER TABLE streamsets.run_instance ADD CONSTRAINT run_instance_stop_reason_check
    CHECK (stop_reason IN ('CANCEL', 'TIMEOUT', 'STALL'));
ALTER TABLE streamsets.run DROP CONSTRAINT IF EXISTS run_state_check;
ALTER TABLE streamsets.run ADD CONSTRAINT run_state_check
    CHECK (state IN ('STARTING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELED', 'TIMED_OUT', 'STOPPED'));

-- Instances being stopped are followed closely (checked again within a second of a stop); this
-- keeps that frequent claim off the monitor's much larger due index.
CREATE INDEX IF NOT EXISTS run_instance_stopping_idx ON streamsets.run_instance (next_check_at)
    WHERE stop_reason IS NOT NULL AND state IN ('PENDING', 'STARTING', 'RUNNING');

-- Lines the service itself adds to a job's log (a malformed metrics line it ignored).
ALTER TABLE streamsets.instance_log DROP CONSTRAINT IF EXISTS instance_log_stream_check;
ALTER TABLE streamsets.instance_log ADD CONSTRAINT instance_log_stream_check CHECK (stream IN ('stdout', 'stderr', 'service'));

-- ---------------------------------------------------------------------------------------------
-- Metric snapshots of running instances: at most one per instance per Metrics:SnapshotInterval,
-- keyed by the platform's time of the counts, so replicas that read the same report write it once.
-- Swept after Metrics:SnapshotRetention by the maintenance pass.
-- ---------------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS streamsets.instance_metric_snapshot (
    instance_id         uuid        NOT NULL REFERENCES streamsets.run_instance (instance_id) ON DELETE CASCADE,
    reported_at         timestamptz NOT NULL,
    input_record_count  bigint      NOT NULL,
    output_record_count bigint      NOT NULL,
    error_record_count  bigint      NOT NULL,
    -- The counts ride in the key's index: a series is read from a few index pages (an index-only
    -- scan), not one heap page per snapshot, since snapshots of all instances are written interleaved.
    PRIMARY KEY (instance_id, reported_at) INCLUDE (input_record_count, output_record_count, error_record_count)
);

CREATE INDEX IF NOT EXISTS instance_metric_snapshot_reported_at_idx ON streamsets.instance_metric_snapshot (reported_at);

-- ---------------------------------------------------------------------------------------------
-- Callback events about one instance while its run goes on (instance.stalled): an outbox of their
-- own, written in the transaction that marks the instance, delivered like run.finished.
-- ---------------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS streamsets.instance_event_delivery (
    delivery_id      uuid        PRIMARY KEY,
    run_id           uuid        NOT NULL REFERENCES streamsets.run (run_id) ON DELETE CASCADE,
    instance_id      uuid        NOT NULL REFERENCES streamsets.run_instance (instance_id) ON DELETE CASCADE,
    event            varchar     NOT NULL CONSTRAINT instance_event_delivery_event_check CHECK (event IN ('instance.stalled')),
    occurred_at      timestamptz NOT NULL,
    state            varchar     NOT NULL DEFAULT 'PENDING'
        CONSTRAINT instance_event_delivery_state_check CHECK (state IN ('PENDING', 'DELIVERED', 'FAILED')),
    attempts         int         NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_status      int,
    last_error       varchar,
    lease_owner      uuid,
    lease_expires_at timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    delivered_at     timestamptz
);

CREATE INDEX IF NOT EXISTS instance_event_delivery_due_idx ON streamsets.instance_event_delivery (next_attempt_at)
    WHERE state = 'PENDING';

-- ---------------------------------------------------------------------------------------------
-- A run's state (as in 0001, plus STOPPED): a run whose instances all succeeded or were stopped
-- cleanly, at least one stopped, is STOPPED, even though a cancel was asked for (that is how a
-- streaming run is ended).
-- ---------------------------------------------------------------------------------------------

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
      FROM streamsets.run_instance WHERE run_id = p_run_id;

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
