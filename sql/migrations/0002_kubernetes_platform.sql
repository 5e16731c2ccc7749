-- 0002: templates may run on Kubernetes (platform = 'kubernetes').
--
-- compatibility: backward
-- (it only widens a CHECK: the previous version reads and writes nothing it now refuses)

ALTER TABLE streamsets.job_template DROP CONSTRAINT IF EXISTS job_template_platform_check;
ALTER TABLE streamsets.job_template ADD CONSTRAINT job_template_platform_check
    CHECK (platform IN ('controlhub', 'local', 'kubernetes'));
