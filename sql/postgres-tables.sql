-- JobTemplateService schema: the one-file install for psql users.
--
-- GENERATED from sql/migrations/ by `JobTemplateService migrate --script`; do not edit. Regenerate with
--   dotnet run --project src/JobTemplateService -- migrate --script > sql/postgres-tables.sql
--
-- Apply it to an empty database, to one the original Python service created, to one made by an
-- earlier version of this file, or twice in a row:
--   psql "host=… dbname=… user=…" -v ON_ERROR_STOP=1 -f sql/postgres-tables.sql
-- It applies the migrations the database lacks, each in its own transaction, and records them in
-- streamsets.schema_migration as `JobTemplateService migrate` does; either may follow the other.

\set ON_ERROR_STOP on
SET client_min_messages = warning;
SELECT 1 AS migration_lock FROM pg_advisory_lock(20921865032255314) \gset
CREATE SCHEMA IF NOT EXISTS streamsets;
CREATE TABLE IF NOT EXISTS streamsets.schema_migration (
    name                varchar     PRIMARY KEY,
    applied_at          timestamptz NOT NULL DEFAULT now(),
    backward_compatible boolean     NOT NULL DEFAULT false
);

-- =============================================================================================
-- Migration 0001_initial_schema.sql
-- =============================================================================================
SELECT NOT EXISTS (SELECT 1 FROM streamsets.schema_migration WHERE name = '0001_initial_schema.sql') AS pending \gset
\if :pending
BEGIN;

-- 0001: the schema of the first release with versioned migrations.
--
-- Brings every database this project can meet to that schema: an empty one, one the original
-- Python service created (its rows are kept), and one made by any earlier sql/postgres-tables.sql
-- of this project, which were applied by hand and left no journal. So it is written to be re-run:
-- CREATE ... IF NOT EXISTS for what the first of them lacked entirely, and ALTER TABLE ... ADD
-- COLUMN IF NOT EXISTS for every column added to an existing table after that, because CREATE
-- TABLE IF NOT EXISTS skips a table that exists and never adds its new columns.
--
-- Later changes go in new files (0002_..., 0003_...), never in this one.

SET LOCAL client_min_messages = warning;

CREATE SCHEMA IF NOT EXISTS streamsets;

-- Upgrading the original service's tables: stop before changing anything if two rules share a
-- (source, destination) pair or a rule has two templates, since template choice must be unique.
DO $$
DECLARE
    v_duplicates boolean;
BEGIN
    -- Dynamic SQL: on an empty database these tables do not exist yet.
    IF to_regclass('streamsets.ingestion_pattern') IS NOT NULL THEN
        EXECUTE 'SELECT EXISTS (SELECT 1 FROM streamsets.ingestion_pattern GROUP BY source, destination HAVING count(*) > 1)'
            INTO v_duplicates;
        IF v_duplicates THEN
            RAISE EXCEPTION 'Several rows of streamsets.ingestion_pattern share a (source, destination) pair; keep one per pair, then migrate again.';
        END IF;
    END IF;
    IF to_regclass('streamsets.ingestion_pattern_job_template_relationship') IS NOT NULL THEN
        EXECUTE 'SELECT EXISTS (SELECT 1 FROM streamsets.ingestion_pattern_job_template_relationship GROUP BY ingestion_pattern_id HAVING count(*) > 1)'
            INTO v_duplicates;
        IF v_duplicates THEN
            RAISE EXCEPTION 'A rule of streamsets.ingestion_pattern is related to several job templates; keep one per rule, then migrate again.';
        END IF;
    END IF;
END $$;

-- ---------------------------------------------------------------------------------------------
-- Configuration: rules (ingestion_pattern) -> relationship -> job_template.
-- Column-compatible with the original service, so its documented INSERT statements run unchanged.
-- ---------------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS streamsets.ingestion_pattern (
    ingestion_pattern_id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pattern_name         varchar     NOT NULL,
    source               varchar     NOT NULL,
    destination          varchar     NOT NULL,
    create_timestamp     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS streamsets.job_template (
    job_template_id                int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sch_job_template_id            varchar     NOT NULL,
    delete_after_completion        boolean     NOT NULL DEFAULT false,
    source_runtime_parameters      jsonb       DEFAULT '{}',
    destination_runtime_parameters jsonb       DEFAULT '{}',
    source_connection_info         jsonb       DEFAULT '{}',
    destination_connection_info    jsonb       DEFAULT '{}',
    create_timestamp               timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS streamsets.ingestion_pattern_job_template_relationship (
    rel_id               int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ingestion_pattern_id int NOT NULL
        CONSTRAINT ingestion_pattern_id REFERENCES streamsets.ingestion_pattern (ingestion_pattern_id),
    job_template_id      int NOT NULL
        CONSTRAINT job_template_id REFERENCES streamsets.job_template (job_template_id),
    schedule             varchar
);

-- Upgrade tables created by the original service: local-time timestamps become timestamptz
-- (read in the server's time zone, which is where the original wrote them) and gain defaults.
DO $$
DECLARE
    col record;
BEGIN
    FOR col IN
        SELECT table_name, column_name
          FROM information_schema.columns
         WHERE table_schema = 'streamsets'
           AND table_name IN ('ingestion_pattern', 'job_template')
           AND column_name = 'create_timestamp'
           AND data_type = 'timestamp without time zone'
    LOOP
        EXECUTE format('ALTER TABLE streamsets.%I ALTER COLUMN create_timestamp TYPE timestamptz', col.table_name);
    END LOOP;
END $$;

ALTER TABLE streamsets.ingestion_pattern ALTER COLUMN create_timestamp SET DEFAULT now();
ALTER TABLE streamsets.job_template
    ALTER COLUMN create_timestamp SET DEFAULT now(),
    ALTER COLUMN delete_after_completion SET DEFAULT false,
    ALTER COLUMN source_runtime_parameters SET DEFAULT '{}',
    ALTER COLUMN destination_runtime_parameters SET DEFAULT '{}',
    ALTER COLUMN source_connection_info SET DEFAULT '{}',
    ALTER COLUMN destination_connection_info SET DEFAULT '{}';

-- Template options beyond the original service. Defaults reproduce the original's behaviour
-- (Control Hub, COUNTER suffix, 4 h wait) except that caller values no longer silently lose to
-- static ones: a caller value for a static key is rejected unless the key is overridable.
ALTER TABLE streamsets.job_template
    ADD COLUMN IF NOT EXISTS platform varchar NOT NULL DEFAULT 'controlhub'
        CONSTRAINT job_template_platform_check CHECK (platform IN ('controlhub', 'local')),
    ADD COLUMN IF NOT EXISTS instance_name_suffix varchar NOT NULL DEFAULT 'COUNTER'
        CONSTRAINT job_template_instance_name_suffix_check
            CHECK (instance_name_suffix IN ('COUNTER', 'TIME_STAMP', 'PARAM_VALUE')),
    ADD COLUMN IF NOT EXISTS instance_name_parameter varchar,
    ADD COLUMN IF NOT EXISTS required_parameters varchar[] NOT NULL DEFAULT '{}',
    ADD COLUMN IF NOT EXISTS overridable_parameters varchar[] NOT NULL DEFAULT '{}',
    ADD COLUMN IF NOT EXISTS secret_parameters varchar[] NOT NULL DEFAULT '{}',
    ADD COLUMN IF NOT EXISTS max_wait interval NOT NULL DEFAULT interval '4 hours'
        CONSTRAINT job_template_max_wait_check CHECK (max_wait > interval '0'),
    ADD COLUMN IF NOT EXISTS max_concurrent_instances int
        CONSTRAINT job_template_max_concurrent_instances_check CHECK (max_concurrent_instances > 0),
    ADD COLUMN IF NOT EXISTS description varchar;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'job_template_param_value_check') THEN
        ALTER TABLE streamsets.job_template ADD CONSTRAINT job_template_param_value_check
            CHECK (instance_name_suffix <> 'PARAM_VALUE' OR instance_name_parameter IS NOT NULL);
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'job_template_parameters_are_objects') THEN
        ALTER TABLE streamsets.job_template ADD CONSTRAINT job_template_parameters_are_objects CHECK (
            jsonb_typeof(coalesce(source_runtime_parameters, '{}')) = 'object'
            AND jsonb_typeof(coalesce(destination_runtime_parameters, '{}')) = 'object'
            AND jsonb_typeof(coalesce(source_connection_info, '{}')) = 'object'
            AND jsonb_typeof(coalesce(destination_connection_info, '{}')) = 'object');
    END IF;
END $$;

-- One rule per (source, destination) and one template per rule: template choice is deterministic.
CREATE UNIQUE INDEX IF NOT EXISTS ingestion_pattern_source_destination_key
    ON streamsets.ingestion_pattern (source, destination);
CREATE UNIQUE INDEX IF NOT EXISTS ingestion_pattern_job_template_relationship_pattern_key
    ON streamsets.ingestion_pattern_job_template_relationship (ingestion_pattern_id);

-- ---------------------------------------------------------------------------------------------
-- Runs and their instances (DESIGN §4). State lives here only; any replica may die at any time.
-- ---------------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS streamsets.run (
    run_id               uuid        PRIMARY KEY,
    user_id              varchar     NOT NULL,
    user_run_id          varchar     NOT NULL,
    source_type          varchar     NOT NULL,
    target_type          varchar     NOT NULL,
    job_template_id      int         NOT NULL REFERENCES streamsets.job_template (job_template_id),
    pattern_name         varchar     NOT NULL,
    platform             varchar     NOT NULL,
    platform_template_id varchar     NOT NULL,
    state                varchar     NOT NULL DEFAULT 'STARTING'
        CONSTRAINT run_state_check
            CHECK (state IN ('STARTING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELED', 'TIMED_OUT')),
    requested_by         varchar,
    cancel_requested_at  timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    finished_at          timestamptz
);

CREATE INDEX IF NOT EXISTS run_user_run_id_idx ON streamsets.run (user_run_id, run_id DESC);
CREATE INDEX IF NOT EXISTS run_user_id_idx ON streamsets.run (user_id, run_id DESC);
CREATE INDEX IF NOT EXISTS run_state_idx ON streamsets.run (state, run_id DESC);

CREATE TABLE IF NOT EXISTS streamsets.run_instance (
    instance_id       uuid        PRIMARY KEY,
    run_id            uuid        NOT NULL REFERENCES streamsets.run (run_id) ON DELETE CASCADE,
    ordinal           int         NOT NULL,
    job_template_id   int         NOT NULL,
    platform          varchar     NOT NULL,
    state             varchar     NOT NULL
        CONSTRAINT run_instance_state_check CHECK (state IN (
            'QUEUED', 'PENDING', 'STARTING', 'RUNNING',
            'SUCCEEDED', 'FAILED', 'CANCELED', 'TIMED_OUT', 'START_FAILED')),
    -- The merged parameter set with secret values masked; real values are never stored here.
    parameters        jsonb       NOT NULL,
    -- Secret keys whose values came from the caller: they are not stored, so they cannot be resent.
    caller_secret_keys varchar[]  NOT NULL DEFAULT '{}',
    platform_job_id   varchar,
    name              varchar,
    error             varchar,
    started_at        timestamptz,
    finished_at       timestamptz,
    deadline_at       timestamptz NOT NULL,
    -- Monitoring: when the instance is next due, and who holds it (fenced by lease_generation).
    next_check_at     timestamptz NOT NULL DEFAULT now(),
    lease_owner       uuid,
    lease_expires_at  timestamptz,
    lease_generation  bigint      NOT NULL DEFAULT 0,
    launch_attempts   int         NOT NULL DEFAULT 0,
    launch_sent_at    timestamptz,
    -- First time a search for an unclear start found nothing; a second miss later allows a restart.
    reconcile_missed_at timestamptz,
    stop_reason       varchar CONSTRAINT run_instance_stop_reason_check CHECK (stop_reason IN ('CANCEL', 'TIMEOUT')),
    stop_requested_at timestamptz,
    force_stopped_at  timestamptz,
    cleanup_pending   boolean     NOT NULL DEFAULT false,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT run_instance_ordinal_key UNIQUE (run_id, ordinal)
);

-- Columns added to run_instance after the first release (e45e3dc): the template of each instance
-- (taken from its run, which never changes template) and the first missed search of an unclear start.
ALTER TABLE streamsets.run_instance
    ADD COLUMN IF NOT EXISTS job_template_id int,
    ADD COLUMN IF NOT EXISTS reconcile_missed_at timestamptz;
UPDATE streamsets.run_instance i
   SET job_template_id = r.job_template_id
  FROM streamsets.run r
 WHERE r.run_id = i.run_id AND i.job_template_id IS NULL;
ALTER TABLE streamsets.run_instance ALTER COLUMN job_template_id SET NOT NULL;

-- A platform job belongs to at most one instance: adopting it twice is impossible.
CREATE UNIQUE INDEX IF NOT EXISTS run_instance_platform_job_key
    ON streamsets.run_instance (platform, platform_job_id) WHERE platform_job_id IS NOT NULL;
-- The monitor's claim scans only live work.
CREATE INDEX IF NOT EXISTS run_instance_due_idx ON streamsets.run_instance (next_check_at)
    WHERE state IN ('PENDING', 'STARTING', 'RUNNING') OR cleanup_pending;
-- The first release found queued instances through this index; run_instance_template_live_idx replaced it.
DROP INDEX IF EXISTS streamsets.run_instance_queued_idx;
-- Per-template concurrency limits count live instances and promote queued ones, oldest first.
CREATE INDEX IF NOT EXISTS run_instance_template_live_idx ON streamsets.run_instance (job_template_id, instance_id)
    WHERE state IN ('QUEUED', 'PENDING', 'STARTING', 'RUNNING');
-- No index on lease_owner: every claim and release leaves a dead entry under the replica's id, and
-- the planner, seeing few rows per owner, preferred scanning them over primary-key lookups in the
-- fenced updates (1,400 buffers instead of 20 per launch after 60,000 launches). Leases exist only on
-- live work, so freeing a replica's leases goes through run_instance_due_idx.
DROP INDEX IF EXISTS streamsets.run_instance_lease_owner_idx;

-- ---------------------------------------------------------------------------------------------
-- Metrics: exactly one row per finished instance (unique instance_id), the original's column
-- names, bigint counts and timestamptz times.
-- ---------------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS streamsets.job_run_metrics (
    metrics_id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    instance_id         uuid        REFERENCES streamsets.run_instance (instance_id) ON DELETE SET NULL,
    run_id              uuid,
    user_id             varchar     NOT NULL,
    user_run_id         varchar     NOT NULL,
    job_template_id     int         NOT NULL,
    platform_job_id     varchar     NOT NULL,
    engine_id           varchar,
    pipeline_id         varchar,
    successful_run      boolean     NOT NULL,
    final_state         varchar     NOT NULL,
    run_count           int,
    input_record_count  bigint,
    output_record_count bigint,
    error_record_count  bigint,
    error_message       varchar,
    start_time          timestamptz,
    finish_time         timestamptz,
    recorded_at         timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX IF NOT EXISTS job_run_metrics_instance_key
    ON streamsets.job_run_metrics (instance_id) WHERE instance_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS job_run_metrics_user_run_id_idx
    ON streamsets.job_run_metrics (user_run_id, metrics_id DESC);
CREATE INDEX IF NOT EXISTS job_run_metrics_user_id_idx
    ON streamsets.job_run_metrics (user_id, metrics_id DESC);
CREATE INDEX IF NOT EXISTS job_run_metrics_run_id_idx ON streamsets.job_run_metrics (run_id);

-- The original service wrote its metrics to a base table named job_instance. Keep its rows (as
-- metrics rows without a run) and free the name for the compatibility view below.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM information_schema.tables
                WHERE table_schema = 'streamsets' AND table_name = 'job_instance'
                  AND table_type = 'BASE TABLE') THEN
        INSERT INTO streamsets.job_run_metrics (
            user_id, user_run_id, job_template_id, platform_job_id, engine_id, pipeline_id,
            successful_run, final_state, input_record_count, output_record_count,
            error_record_count, error_message, start_time, finish_time)
        SELECT user_id, user_run_id, job_template_id, job_run_id, engine_id, pipeline_id,
               successful_run, CASE WHEN successful_run THEN 'SUCCEEDED' ELSE 'FAILED' END,
               input_record_count, output_record_count, error_record_count,
               nullif(error_message, ''), start_time, finish_time
          FROM streamsets.job_instance;
        ALTER TABLE streamsets.job_instance RENAME TO job_instance_legacy;
    END IF;
END $$;

-- Read-only view with the original's final column names, so existing SQL keeps working.
CREATE OR REPLACE VIEW streamsets.job_instance AS
SELECT metrics_id          AS job_instance_id,
       platform_job_id     AS job_run_id,
       job_template_id,
       user_id,
       user_run_id,
       engine_id,
       pipeline_id,
       successful_run,
       input_record_count,
       output_record_count,
       error_record_count,
       error_message,
       start_time,
       finish_time
  FROM streamsets.job_run_metrics;

CREATE OR REPLACE FUNCTION streamsets.job_instance_is_read_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'streamsets.job_instance is a read-only view; the service writes metrics to streamsets.job_run_metrics';
END $$;

DROP TRIGGER IF EXISTS job_instance_read_only ON streamsets.job_instance;
CREATE TRIGGER job_instance_read_only INSTEAD OF INSERT OR UPDATE OR DELETE ON streamsets.job_instance
    FOR EACH ROW EXECUTE FUNCTION streamsets.job_instance_is_read_only();

-- ---------------------------------------------------------------------------------------------
-- Launch idempotency (DESIGN §5): one row per (caller scope, key); the primary key, not a
-- look-then-insert, decides which of several concurrent requests launches.
-- ---------------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS streamsets.launch_request (
    scope           varchar     NOT NULL,
    request_key     varchar     NOT NULL,
    key_kind        varchar     NOT NULL CONSTRAINT launch_request_key_kind_check CHECK (key_kind IN ('header', 'natural')),
    fingerprint     varchar     NOT NULL,
    run_id          uuid,
    response_status int,
    response_body   text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    completed_at    timestamptz,
    expires_at      timestamptz NOT NULL,
    PRIMARY KEY (scope, request_key)
);

CREATE INDEX IF NOT EXISTS launch_request_expires_idx ON streamsets.launch_request (expires_at);

-- ---------------------------------------------------------------------------------------------
-- Service replicas: a heartbeat per process so a dead replica's leases are taken over early.
-- ---------------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS streamsets.service_replica (
    replica_id   uuid        PRIMARY KEY,
    host_name    varchar     NOT NULL,
    process_id   int         NOT NULL,
    started_at   timestamptz NOT NULL DEFAULT now(),
    heartbeat_at timestamptz NOT NULL DEFAULT now()
);

-- ---------------------------------------------------------------------------------------------
-- API keys (DESIGN §8): only a SHA-256 hash of each key is stored; the prefix finds the row.
-- ---------------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS streamsets.api_key (
    key_id       uuid        PRIMARY KEY,
    name         varchar     NOT NULL CONSTRAINT api_key_name_key UNIQUE,
    prefix       varchar     NOT NULL CONSTRAINT api_key_prefix_key UNIQUE,
    key_hash     bytea       NOT NULL,
    scopes       varchar[]   NOT NULL
        CONSTRAINT api_key_scopes_check CHECK (scopes <@ ARRAY['launch', 'read', 'admin']::varchar[] AND cardinality(scopes) > 0),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);

-- ---------------------------------------------------------------------------------------------
-- Output of local-platform processes, line by line, bounded per instance (oldest dropped).
-- ---------------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS streamsets.instance_log (
    instance_id uuid        NOT NULL REFERENCES streamsets.run_instance (instance_id) ON DELETE CASCADE,
    line_no     bigint      NOT NULL,
    stream      varchar     NOT NULL CONSTRAINT instance_log_stream_check CHECK (stream IN ('stdout', 'stderr')),
    logged_at   timestamptz NOT NULL DEFAULT now(),
    line        text        NOT NULL,
    PRIMARY KEY (instance_id, line_no)
);

-- ---------------------------------------------------------------------------------------------
-- Completion callbacks: a durable outbox, one delivery per run, retried until it succeeds.
-- ---------------------------------------------------------------------------------------------

ALTER TABLE streamsets.run
    ADD COLUMN IF NOT EXISTS callback_url varchar,
    ADD COLUMN IF NOT EXISTS callback_secret varchar;

CREATE TABLE IF NOT EXISTS streamsets.callback_delivery (
    delivery_id      uuid        PRIMARY KEY,
    run_id           uuid        NOT NULL CONSTRAINT callback_delivery_run_key UNIQUE
                                 REFERENCES streamsets.run (run_id) ON DELETE CASCADE,
    state            varchar     NOT NULL DEFAULT 'PENDING'
        CONSTRAINT callback_delivery_state_check CHECK (state IN ('PENDING', 'DELIVERED', 'FAILED')),
    attempts         int         NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_status      int,
    last_error       varchar,
    lease_owner      uuid,
    lease_expires_at timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    delivered_at     timestamptz
);

CREATE INDEX IF NOT EXISTS callback_delivery_due_idx ON streamsets.callback_delivery (next_attempt_at)
    WHERE state = 'PENDING';

-- ---------------------------------------------------------------------------------------------
-- A run's state follows from its instances (DESIGN §4). Every writer calls this after changing
-- instances, in the same transaction; it locks the run row first so that two instances finishing
-- at once on two replicas cannot both see the other as still running. When the run becomes
-- terminal it notifies listeners (outcome long-polls) on channel jts_run_finished and, when the
-- caller asked for a callback, queues its delivery in the same transaction.
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
           count(*) FILTER (WHERE state IN ('SUCCEEDED', 'FAILED', 'CANCELED', 'TIMED_OUT', 'START_FAILED')),
           count(*) FILTER (WHERE state = 'SUCCEEDED'),
           count(*) FILTER (WHERE state IN ('FAILED', 'START_FAILED')),
           count(*) FILTER (WHERE state = 'TIMED_OUT'),
           count(*) FILTER (WHERE state = 'RUNNING')
      INTO v_total, v_terminal, v_succeeded, v_failed, v_timed_out, v_running
      FROM streamsets.run_instance WHERE run_id = p_run_id;

    v_new := CASE
        WHEN v_terminal < v_total THEN
            CASE WHEN v_running > 0 OR v_terminal > 0 THEN 'RUNNING' ELSE 'STARTING' END
        WHEN v_succeeded = v_total THEN 'SUCCEEDED'
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

INSERT INTO streamsets.schema_migration (name, backward_compatible) VALUES ('0001_initial_schema.sql', false);
COMMIT;
\endif


-- =============================================================================================
-- Migration 0002_kubernetes_platform.sql
-- =============================================================================================
SELECT NOT EXISTS (SELECT 1 FROM streamsets.schema_migration WHERE name = '0002_kubernetes_platform.sql') AS pending \gset
\if :pending
BEGIN;

-- 0002: templates may run on Kubernetes (platform = 'kubernetes').
--
-- compatibility: backward
-- (it only widens a CHECK: the previous version reads and writes nothing it now refuses)

ALTER TABLE streamsets.job_template DROP CONSTRAINT IF EXISTS job_template_platform_check;
ALTER TABLE streamsets.job_template ADD CONSTRAINT job_template_platform_check
    CHECK (platform IN ('controlhub', 'local', 'kubernetes'));

INSERT INTO streamsets.schema_migration (name, backward_compatible) VALUES ('0002_kubernetes_platform.sql', true);
COMMIT;
\endif


-- =============================================================================================
-- Migration 0003_hardening.sql
-- =============================================================================================
SELECT NOT EXISTS (SELECT 1 FROM streamsets.schema_migration WHERE name = '0003_hardening.sql') AS pending \gset
\if :pending
BEGIN;

-- 0003: hardening. Templates may allow runtime-interpreted parameter names one by one; API keys
-- may be limited to their own runs; the service keeps its own keys (the idempotency
-- fingerprint's HMAC key, ASP.NET Core Data Protection's key ring for callback secrets) in the
-- database so that every replica uses the same ones.
--
-- Not marked backward compatible: the previous version would run on this schema, but it ignores
-- own_runs_only (a limited key would see every run on an old replica), signs callbacks with the
-- encrypted form of secrets written by this version, and cannot replay launches whose
-- fingerprint this version keyed. Replace every replica.

ALTER TABLE streamsets.job_template
    ADD COLUMN IF NOT EXISTS allowed_environment_names varchar[] NOT NULL DEFAULT '{}';

COMMENT ON COLUMN streamsets.job_template.allowed_environment_names IS
    'Parameter names from the deny list (loaders, shells, language runtimes, proxies) that callers may set on this local or Kubernetes template.';

ALTER TABLE streamsets.api_key
    ADD COLUMN IF NOT EXISTS own_runs_only boolean NOT NULL DEFAULT false;

-- One row per key the service generates for itself (created on first use, never rotated by the service).
CREATE TABLE IF NOT EXISTS streamsets.service_key (
    name       varchar     PRIMARY KEY,
    key        bytea       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- ASP.NET Core Data Protection's key ring (IXmlRepository): one XML element per key.
CREATE TABLE IF NOT EXISTS streamsets.data_protection_key (
    friendly_name varchar     PRIMARY KEY,
    xml           text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

INSERT INTO streamsets.schema_migration (name, backward_compatible) VALUES ('0003_hardening.sql', false);
COMMIT;
\endif


-- =============================================================================================
-- Migration 0004_template_catalog.sql
-- =============================================================================================
SELECT NOT EXISTS (SELECT 1 FROM streamsets.schema_migration WHERE name = '0004_template_catalog.sql') AS pending \gset
\if :pending
BEGIN;

-- 0004: the template catalog: metadata and a parameter contract (JSON Schema) per template,
-- API keys limited to templates, and an audit trail of template changes made through the API.
--
-- compatibility: backward
-- (it adds nullable columns, columns with defaults, a table and indexes; the previous version
-- reads and writes nothing it now refuses)

SET LOCAL client_min_messages = warning;

-- Templates are managed by pattern name: it must name one rule. Stop before changing anything
-- when two rules share one, as 0001 does for a shared (source, destination) pair.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM streamsets.ingestion_pattern GROUP BY pattern_name HAVING count(*) > 1) THEN
        RAISE EXCEPTION 'Several rows of streamsets.ingestion_pattern share a pattern_name; rename all but one, then migrate again.';
    END IF;
END $$;
CREATE UNIQUE INDEX IF NOT EXISTS ingestion_pattern_pattern_name_key ON streamsets.ingestion_pattern (pattern_name);

ALTER TABLE streamsets.job_template
    ADD COLUMN IF NOT EXISTS title varchar,
    ADD COLUMN IF NOT EXISTS owner varchar,
    ADD COLUMN IF NOT EXISTS tags varchar[] NOT NULL DEFAULT '{}',
    ADD COLUMN IF NOT EXISTS documentation_url varchar,
    ADD COLUMN IF NOT EXISTS enabled boolean NOT NULL DEFAULT true,
    -- The parameter contract: a JSON Schema (2020-12) for one instance's dynamic parameters.
    -- json, not jsonb: it is answered verbatim, and the order of its properties is the order of a form.
    ADD COLUMN IF NOT EXISTS parameters_schema json
        CONSTRAINT job_template_parameters_schema_check CHECK (json_typeof(parameters_schema) = 'object');

-- Empty: the key may launch every template. Otherwise glob patterns on pattern names and 'tag:<tag>'.
ALTER TABLE streamsets.api_key
    ADD COLUMN IF NOT EXISTS templates varchar[] NOT NULL DEFAULT '{}';

-- Every change made through the admin API or `templates apply`, with secret values masked.
CREATE TABLE IF NOT EXISTS streamsets.template_change (
    change_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pattern_name varchar     NOT NULL,
    action       varchar     NOT NULL CONSTRAINT template_change_action_check CHECK (action IN ('CREATE', 'UPDATE', 'DELETE')),
    changed_by   varchar,
    changed_at   timestamptz NOT NULL DEFAULT now(),
    before       jsonb,
    after        jsonb
);
CREATE INDEX IF NOT EXISTS template_change_pattern_name_idx ON streamsets.template_change (pattern_name, change_id DESC);

INSERT INTO streamsets.schema_migration (name, backward_compatible) VALUES ('0004_template_catalog.sql', true);
COMMIT;
\endif


-- =============================================================================================
-- Migration 0005_live_metrics.sql
-- =============================================================================================
SELECT NOT EXISTS (SELECT 1 FROM streamsets.schema_migration WHERE name = '0005_live_metrics.sql') AS pending \gset
\if :pending
BEGIN;

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

INSERT INTO streamsets.schema_migration (name, backward_compatible) VALUES ('0005_live_metrics.sql', false);
COMMIT;
\endif


-- =============================================================================================
-- Migration 0006_console.sql
-- =============================================================================================
SELECT NOT EXISTS (SELECT 1 FROM streamsets.schema_migration WHERE name = '0006_console.sql') AS pending \gset
\if :pending
BEGIN;

-- 0006: the web console. Its sign-in sessions live in the database (any replica serves any
-- page, and signing out ends the session everywhere at once); a run names the run it relaunched;
-- the job library reads each template's recent runs through one index.
--
-- compatibility: backward
-- (it adds a table, a nullable column and an index: the previous version neither reads nor writes them)

CREATE TABLE IF NOT EXISTS streamsets.console_session (
    session_id   uuid        PRIMARY KEY,
    -- SHA-256 of the cookie's token: the token itself is never stored.
    token_hash   bytea       NOT NULL CONSTRAINT console_session_token_key UNIQUE,
    -- The API key signed in with; revoking or deleting the key ends its sessions. NULL: the bootstrap key.
    key_id       uuid        REFERENCES streamsets.api_key (key_id) ON DELETE CASCADE,
    key_name     varchar     NOT NULL,
    -- For the bootstrap key only: its hash, so a changed bootstrap key ends its sessions.
    bootstrap_hash bytea,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT console_session_key_check CHECK ((key_id IS NULL) = (bootstrap_hash IS NOT NULL))
);

CREATE INDEX IF NOT EXISTS console_session_last_seen_idx ON streamsets.console_session (last_seen_at);

ALTER TABLE streamsets.run
    ADD COLUMN IF NOT EXISTS relaunch_of uuid REFERENCES streamsets.run (run_id) ON DELETE SET NULL;

-- The library's last run and 30-day success rate per template, read from the index alone.
CREATE INDEX IF NOT EXISTS run_template_created_idx
    ON streamsets.run (job_template_id, created_at DESC) INCLUDE (state, run_id);

INSERT INTO streamsets.schema_migration (name, backward_compatible) VALUES ('0006_console.sql', true);
COMMIT;
\endif


-- =============================================================================================
-- Migration 0007_template_catalog_version.sql
-- =============================================================================================
SELECT NOT EXISTS (SELECT 1 FROM streamsets.schema_migration WHERE name = '0007_template_catalog_version.sql') AS pending \gset
\if :pending
BEGIN;

-- 0007: a version number of the template catalog, raised by every change to the tables a launch
-- reads its template from (through the admin API, `templates apply` or plain SQL alike). A replica
-- keeps the templates it resolved; a launch records its intent only if the catalog is still at
-- the version its template was read at, and reads it afresh otherwise. So a launch costs no
-- template read, and never uses a template that changed before its intent was recorded.
--
-- compatibility: backward
-- (it adds a table and triggers that write only that table: the previous version never reads it)

CREATE TABLE IF NOT EXISTS streamsets.template_catalog (
    id      int    PRIMARY KEY DEFAULT 1 CONSTRAINT template_catalog_one_row CHECK (id = 1),
    version bigint NOT NULL
);

-- The version only grows, and never repeats: each change takes at least the wall clock in
-- microseconds, so a row removed and made again, or a database restored from an older backup,
-- starts above every version a replica may have kept.
CREATE OR REPLACE FUNCTION streamsets.template_catalog_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO streamsets.template_catalog AS c (id, version)
    VALUES (1, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint)
    ON CONFLICT (id) DO UPDATE SET version = greatest(c.version + 1, excluded.version);
    RETURN NULL;
END $$;

INSERT INTO streamsets.template_catalog (id, version)
VALUES (1, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint)
ON CONFLICT (id) DO NOTHING;

-- BEFORE the statement: a writer takes the catalog row's lock before any template row's, so
-- writers queue on it instead of deadlocking over rows they lock in different orders.
DROP TRIGGER IF EXISTS job_template_catalog_changed ON streamsets.job_template;
CREATE TRIGGER job_template_catalog_changed BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON streamsets.job_template
    FOR EACH STATEMENT EXECUTE FUNCTION streamsets.template_catalog_changed();
DROP TRIGGER IF EXISTS ingestion_pattern_catalog_changed ON streamsets.ingestion_pattern;
CREATE TRIGGER ingestion_pattern_catalog_changed BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON streamsets.ingestion_pattern
    FOR EACH STATEMENT EXECUTE FUNCTION streamsets.template_catalog_changed();
DROP TRIGGER IF EXISTS ingestion_pattern_job_template_relationship_catalog_changed
    ON streamsets.ingestion_pattern_job_template_relationship;
CREATE TRIGGER ingestion_pattern_job_template_relationship_catalog_changed
    BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON streamsets.ingestion_pattern_job_template_relationship
    FOR EACH STATEMENT EXECUTE FUNCTION streamsets.template_catalog_changed();

INSERT INTO streamsets.schema_migration (name, backward_compatible) VALUES ('0007_template_catalog_version.sql', true);
COMMIT;
\endif


-- =============================================================================================
-- Migration 0008_started_jobs.sql
-- =============================================================================================
SELECT NOT EXISTS (SELECT 1 FROM streamsets.schema_migration WHERE name = '0008_started_jobs.sql') AS pending \gset
\if :pending
BEGIN;

-- 0008: the launch's record of its started jobs plans once. Its fenced update joined the instances
-- to unnest() of array parameters; the planner sees an array parameter's length, so a
-- one-instance launch looked cheaper with a plan of its own, and PostgreSQL planned the statement
-- afresh on nearly every call (8,827 plans for 10,511 calls in a launch benchmark, about half a
-- millisecond each). This function reads the same arrays, and tells the planner to expect a
-- single row whatever their length (ROWS 1; STRICT, so it is never inlined into the statement).
-- So one cached plan serves launches of every size. And that plan is the primary-key lookup it
-- should be even on a new database whose tables have no statistics yet, where, expecting ten rows
-- from unnest(), the planner preferred a sequential scan (kept, in a cached plan, until the first
-- ANALYZE), or a scan of a whole partial index that a literal state made usable: the statement
-- passes the state it expects as a parameter.
--
-- compatibility: backward
-- (it adds a function that only this version calls)

CREATE OR REPLACE FUNCTION streamsets.started_jobs(instance_ids uuid[], generations bigint[], job_ids text[], names text[])
    RETURNS TABLE (instance_id uuid, generation bigint, job_id text, name text)
    LANGUAGE sql STABLE STRICT PARALLEL SAFE ROWS 1
    AS $$ SELECT * FROM unnest(instance_ids, generations, job_ids, names) $$;

INSERT INTO streamsets.schema_migration (name, backward_compatible) VALUES ('0008_started_jobs.sql', true);
COMMIT;
\endif


-- =============================================================================================
-- Migration 0009_cheaper_launch_writes.sql
-- =============================================================================================
SELECT NOT EXISTS (SELECT 1 FROM streamsets.schema_migration WHERE name = '0009_cheaper_launch_writes.sql') AS pending \gset
\if :pending
BEGIN;

-- 0009: the same rules, cheaper to apply on every launch.
--
-- * CHECK constraints name their allowed values as one array constant. PostgreSQL rebuilds a
--   table's CHECK expressions from their stored form for every statement that writes the table,
--   and folds an IN (...) list of typed literals into an array each time: about 25 microseconds
--   per INSERT or UPDATE of run_instance, against 13 for the same test written as an array
--   constant (pgbench, one client, single-row updates). The allowed values do not change; the
--   constraints are replaced in this migration's transaction, which checks every row once.
-- * A launch's stored answer (launch_request.response_body, a few kilobytes for a launch of ten
--   instances) is compressed with LZ4 where the server supports it (every PostgreSQL 14 or later
--   built --with-lz4, as the PGDG and Debian packages and the official images are): pglz took
--   about 3 % of the database's CPU time in a launch benchmark. Values already stored keep theirs.
-- * streamsets.started_jobs (0008) becomes PL/pgSQL: a SQL function that is not inlined is parsed
--   and planned again on every call (32 against 14 microseconds a call, for ten rows). Same
--   signature and answer, still ROWS 1, so the launch's statement keeps its one cached plan.
--
-- compatibility: backward
-- (the previous version writes values these constraints allow and calls the function with the same signature)

ALTER TABLE streamsets.run_instance DROP CONSTRAINT run_instance_state_check;
ALTER TABLE streamsets.run_instance ADD CONSTRAINT run_instance_state_check
    CHECK (state::text = ANY ('{QUEUED,PENDING,STARTING,RUNNING,SUCCEEDED,FAILED,CANCELED,TIMED_OUT,START_FAILED,STOPPED}'::text[]));
ALTER TABLE streamsets.run_instance DROP CONSTRAINT run_instance_stop_reason_check;
ALTER TABLE streamsets.run_instance ADD CONSTRAINT run_instance_stop_reason_check
    CHECK (stop_reason::text = ANY ('{CANCEL,TIMEOUT,STALL}'::text[]));
ALTER TABLE streamsets.run DROP CONSTRAINT run_state_check;
ALTER TABLE streamsets.run ADD CONSTRAINT run_state_check
    CHECK (state::text = ANY ('{STARTING,RUNNING,SUCCEEDED,FAILED,CANCELED,TIMED_OUT,STOPPED}'::text[]));
ALTER TABLE streamsets.launch_request DROP CONSTRAINT launch_request_key_kind_check;
ALTER TABLE streamsets.launch_request ADD CONSTRAINT launch_request_key_kind_check
    CHECK (key_kind::text = ANY ('{header,natural}'::text[]));

DO $$
BEGIN
    ALTER TABLE streamsets.launch_request ALTER COLUMN response_body SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
    RAISE NOTICE 'This server has no LZ4 support: stored launch answers stay compressed with pglz.';
END $$;

CREATE OR REPLACE FUNCTION streamsets.started_jobs(instance_ids uuid[], generations bigint[], job_ids text[], names text[])
    RETURNS TABLE (instance_id uuid, generation bigint, job_id text, name text)
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE ROWS 1
    AS $$ BEGIN RETURN QUERY SELECT * FROM unnest(instance_ids, generations, job_ids, names); END $$;

INSERT INTO streamsets.schema_migration (name, backward_compatible) VALUES ('0009_cheaper_launch_writes.sql', true);
COMMIT;
\endif


-- =============================================================================================
-- Migration 0010_start_intent.sql
-- =============================================================================================
SELECT NOT EXISTS (SELECT 1 FROM streamsets.schema_migration WHERE name = '0010_start_intent.sql') AS pending \gset
\if :pending
BEGIN;

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

INSERT INTO streamsets.schema_migration (name, backward_compatible) VALUES ('0010_start_intent.sql', false);
COMMIT;
\endif

SELECT 1 AS migration_unlock FROM pg_advisory_unlock(20921865032255314) \gset
