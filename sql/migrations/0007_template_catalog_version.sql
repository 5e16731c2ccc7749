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
