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
