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
