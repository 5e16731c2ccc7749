-- The tables as the original Python service created them (timestamp without time zone, int
-- counts, no defaults, no unique rules, metrics in a base table named job_instance).
CREATE SCHEMA IF NOT EXISTS streamsets;
CREATE TABLE streamsets.job_template (
    job_template_id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sch_job_template_id character varying NOT NULL,
    delete_after_completion boolean NOT NULL,
    source_runtime_parameters jsonb,
    destination_runtime_parameters jsonb,
    source_connection_info jsonb,
    destination_connection_info jsonb,
    create_timestamp timestamp NOT NULL);
CREATE TABLE streamsets.ingestion_pattern (
    ingestion_pattern_id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pattern_name character varying NOT NULL,
    source character varying NOT NULL,
    destination character varying NOT NULL,
    create_timestamp timestamp NOT NULL);
CREATE TABLE streamsets.ingestion_pattern_job_template_relationship (
    rel_id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ingestion_pattern_id int NOT NULL CONSTRAINT ingestion_pattern_id REFERENCES streamsets.ingestion_pattern (ingestion_pattern_id),
    job_template_id int NOT NULL CONSTRAINT job_template_id REFERENCES streamsets.job_template (job_template_id),
    schedule character varying);
CREATE TABLE streamsets.job_instance (
    job_instance_id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_run_id character varying NOT NULL,
    job_template_id int NOT NULL CONSTRAINT job_template_id REFERENCES streamsets.job_template (job_template_id),
    user_id character varying NOT NULL,
    user_run_id character varying NOT NULL,
    engine_id character varying NOT NULL,
    pipeline_id character varying NOT NULL,
    successful_run boolean NOT NULL,
    input_record_count int,
    output_record_count int,
    error_record_count int,
    error_message character varying,
    start_time timestamp,
    finish_time timestamp);
