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
