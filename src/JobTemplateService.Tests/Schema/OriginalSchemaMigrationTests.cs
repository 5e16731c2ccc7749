namespace JobTemplateService.Tests;

/// <summary>The migrations applied over a database the original Python service created and used.</summary>
public sealed class OriginalSchemaMigrationTests
{
    // Rows as the original service left them: its README's configuration, a rule created at a known
    // local time, and two metrics rows (int counts, local timestamps, '' as "no error").
    internal const string OriginalRows = Seed.OriginalReadmeInserts + """

        INSERT INTO streamsets.ingestion_pattern (pattern_name, source, destination, create_timestamp)
        VALUES ('sftp-to-s3', 'sftp', 's3', '2023-12-01 09:00:00');
        INSERT INTO streamsets.job_instance (job_run_id, job_template_id, user_id, user_run_id, engine_id, pipeline_id,
            successful_run, input_record_count, output_record_count, error_record_count, error_message, start_time, finish_time)
        SELECT 'job-london:org', job_template_id, 'mark@onefoursix.com', 'run-123', 'engine-1', 'pipeline-1:org',
               true, 12482, 12482, 0, '', '2023-12-08 10:15:00', '2023-12-08 10:16:40'
          FROM streamsets.job_template;
        INSERT INTO streamsets.job_instance (job_run_id, job_template_id, user_id, user_run_id, engine_id, pipeline_id,
            successful_run, input_record_count, output_record_count, error_record_count, error_message, start_time, finish_time)
        SELECT 'job-phoenix:org', job_template_id, 'mark@onefoursix.com', 'run-123', 'engine-1', 'pipeline-1:org',
               false, 1499, 1499, 0, 'JOBRUNNER_64 - Force stopping job', '2023-12-08 10:15:01', '2023-12-08 10:20:00'
          FROM streamsets.job_template;
        """;

    private const string MetricsThroughView = """
        SELECT job_run_id AS jobrunid, user_id AS userid, user_run_id AS userrunid, engine_id AS engineid,
               pipeline_id AS pipelineid, successful_run AS successfulrun, input_record_count AS inputrecordcount,
               output_record_count AS outputrecordcount, error_record_count AS errorrecordcount, error_message AS errormessage,
               to_char(start_time, 'YYYY-MM-DD HH24:MI:SS') AS starttime, to_char(finish_time, 'YYYY-MM-DD HH24:MI:SS') AS finishtime
          FROM streamsets.job_instance ORDER BY job_run_id
        """;

    [Fact]
    public async Task MigratingOriginalTablesKeepsConfigurationRowsAndConvertsTimestamps()
    {
        await using var database = await OriginalDatabaseAsync();

        await database.MigrateAsync();

        var types = await database.QueryAsync<string>("""
            SELECT DISTINCT data_type FROM information_schema.columns
             WHERE table_schema = 'streamsets' AND table_name IN ('ingestion_pattern', 'job_template') AND column_name = 'create_timestamp'
            """);
        Assert.Equal(["timestamp with time zone"], types);
        var rules = await database.QueryAsync<(string, string, string, string)>("""
            SELECT pattern_name, source, destination, to_char(create_timestamp, 'YYYY-MM-DD HH24:MI:SS')
              FROM streamsets.ingestion_pattern ORDER BY pattern_name
            """);
        Assert.Equal(2, rules.Count);
        Assert.Equal(("http-to-gcs", "http", "gcs"), (rules[0].Item1, rules[0].Item2, rules[0].Item3));
        Assert.Equal(("sftp-to-s3", "sftp", "s3", "2023-12-01 09:00:00"), rules[1]);
        var template = await database.ScalarAsync<string>("""
            SELECT t.sch_job_template_id || ' ' || t.source_runtime_parameters::text
              FROM streamsets.ingestion_pattern_job_template_relationship r JOIN streamsets.job_template t USING (job_template_id)
            """);
        Assert.Equal(Seed.ExampleTemplateId + """ {"HTTP_MODE": "POLLING", "HTTP_METHOD": "GET"}""", template);
    }

    [Fact]
    public async Task MigratingOriginalTablesMovesMetricsRowsBehindTheJobInstanceView()
    {
        await using var database = await OriginalDatabaseAsync();

        await database.MigrateAsync();

        var rows = await database.QueryAsync<MetricsRow>(MetricsThroughView);
        Assert.Equal([
            new MetricsRow("job-london:org", "mark@onefoursix.com", "run-123", "engine-1", "pipeline-1:org", true,
                12_482, 12_482, 0, null, "2023-12-08 10:15:00", "2023-12-08 10:16:40"),
            new MetricsRow("job-phoenix:org", "mark@onefoursix.com", "run-123", "engine-1", "pipeline-1:org", false,
                1_499, 1_499, 0, "JOBRUNNER_64 - Force stopping job", "2023-12-08 10:15:01", "2023-12-08 10:20:00"),
        ], rows);
        Assert.Equal(2L, await database.ScalarAsync<long>(
            "SELECT count(*) FROM streamsets.job_run_metrics WHERE run_id IS NULL AND final_state IN ('SUCCEEDED', 'FAILED')"));
        Assert.Equal("VIEW", await database.ScalarAsync<string>("""
            SELECT table_type FROM information_schema.tables WHERE table_schema = 'streamsets' AND table_name = 'job_instance'
            """));
        Assert.Equal(2L, await database.ScalarAsync<long>("SELECT count(*) FROM streamsets.job_instance_legacy"));
    }

    [Fact]
    public async Task MigratingAgainKeepsEveryRowOnceAndTheSameSchema()
    {
        await using var database = await OriginalDatabaseAsync();
        await database.MigrateAsync();
        var migrated = await SchemaSnapshot.TakeAsync(database);
        var metrics = await database.QueryAsync<MetricsRow>(MetricsThroughView);

        await database.MigrateAsync();

        Assert.Equal(migrated, await SchemaSnapshot.TakeAsync(database));
        Assert.Equal(metrics, await database.QueryAsync<MetricsRow>(MetricsThroughView));
        Assert.Equal(2L, await database.ScalarAsync<long>("SELECT count(*) FROM streamsets.ingestion_pattern"));
        Assert.Equal(2L, await database.ScalarAsync<long>("SELECT count(*) FROM streamsets.job_instance_legacy"));
    }

    [Fact]
    public async Task MigratedDatabaseHasTheSchemaOfAFreshOneApartFromTheLegacyTable()
    {
        await using var original = await OriginalDatabaseAsync();
        await using var fresh = await TestDatabase.CreateEmptyAsync();

        await original.MigrateAsync();
        await fresh.MigrateAsync();

        Assert.Equal(await SchemaSnapshot.TakeAsync(fresh),
            await SchemaSnapshot.TakeAsync(original, ignoredTables: "job_instance_legacy"));
    }

    [Fact]
    public async Task MigratedMetricsCountsAreBigint()
    {
        await using var database = await OriginalDatabaseAsync();

        await database.MigrateAsync();

        var types = await database.QueryAsync<string>("""
            SELECT DISTINCT data_type FROM information_schema.columns
             WHERE table_schema = 'streamsets' AND table_name = 'job_instance' AND column_name LIKE '%record_count'
            """);
        Assert.Equal(["bigint"], types);
    }

    private static async Task<TestDatabase> OriginalDatabaseAsync()
    {
        var database = await TestDatabase.CreateEmptyAsync();
        await database.ApplyOriginalServiceTablesAsync();
        await database.ExecuteAsync(OriginalRows);
        return database;
    }

    private sealed record MetricsRow(string JobRunId, string UserId, string UserRunId, string EngineId, string PipelineId,
        bool SuccessfulRun, long InputRecordCount, long OutputRecordCount, long ErrorRecordCount, string? ErrorMessage,
        string StartTime, string FinishTime);
}
