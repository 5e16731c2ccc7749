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
