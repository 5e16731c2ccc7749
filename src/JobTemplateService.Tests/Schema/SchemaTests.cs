namespace JobTemplateService.Tests;

public sealed class SchemaTests
{
    private const string OneTemplate = """
        INSERT INTO streamsets.job_template (sch_job_template_id) VALUES ('template-1:org');
        """;

    private const string OneMetricsRow = """
        INSERT INTO streamsets.job_run_metrics (user_id, user_run_id, job_template_id, platform_job_id, engine_id,
            pipeline_id, successful_run, final_state, input_record_count, output_record_count, error_record_count)
        VALUES ('mark', 'run-1', 1, 'job-1:org', 'engine-1', 'pipeline-1', true, 'SUCCEEDED', 10, 10, 0);
        """;

    [Fact]
    public async Task MigratingAnEmptyDatabaseTwiceLeavesTheSameSchema()
    {
        await using var database = await TestDatabase.CreateEmptyAsync();

        await database.MigrateAsync();
        var first = await SchemaSnapshot.TakeAsync(database);
        await database.MigrateAsync();
        var second = await SchemaSnapshot.TakeAsync(database);

        Assert.Contains("relation job_run_metrics BASE TABLE", first);
        Assert.Contains("relation job_instance VIEW", first);
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task OriginalReadmeInsertsRunUnchanged()
    {
        await using var database = await TestDatabase.CreateAsync();

        await database.ExecuteAsync(Seed.OriginalReadmeInserts);

        var template = await database.QueryAsync<(string, string, string)>("""
            SELECT t.sch_job_template_id, t.source_runtime_parameters::text, t.destination_connection_info->>'GCS_CONNECTION'
              FROM streamsets.ingestion_pattern p
              JOIN streamsets.ingestion_pattern_job_template_relationship r ON r.ingestion_pattern_id = p.ingestion_pattern_id
              JOIN streamsets.job_template t ON t.job_template_id = r.job_template_id
             WHERE p.source = 'http' AND p.destination = 'gcs'
            """);
        Assert.Equal([(Seed.ExampleTemplateId, """{"HTTP_MODE": "POLLING", "HTTP_METHOD": "GET"}""",
            "9c960db9-7904-47c4-bbc8-4c95dcf9c959:8030c2e9-1a39-11ec-a5fe-97c8d4369386")], template);
    }

    [Fact]
    public async Task SecondRuleForTheSameSourceAndDestinationViolatesUniqueIndex()
    {
        await using var database = await TestDatabase.CreateAsync();
        await database.ExecuteAsync("""
            INSERT INTO streamsets.ingestion_pattern (pattern_name, source, destination) VALUES ('http-to-gcs', 'http', 'gcs');
            """);

        var error = await database.RejectsAsync("""
            INSERT INTO streamsets.ingestion_pattern (pattern_name, source, destination) VALUES ('http-to-gcs-2', 'http', 'gcs');
            """);

        Assert.Equal(("23505", "ingestion_pattern_source_destination_key"), (error.SqlState, error.ConstraintName));
    }

    [Fact]
    public async Task SecondTemplateForTheSameRuleViolatesUniqueIndex()
    {
        await using var database = await TestDatabase.CreateAsync();
        await database.TemplateAsync("http", "gcs", "template-1:org");

        var error = await database.RejectsAsync("""
            INSERT INTO streamsets.job_template (sch_job_template_id) VALUES ('template-2:org');
            INSERT INTO streamsets.ingestion_pattern_job_template_relationship (ingestion_pattern_id, job_template_id)
            SELECT p.ingestion_pattern_id, t.job_template_id FROM streamsets.ingestion_pattern p, streamsets.job_template t
             WHERE t.sch_job_template_id = 'template-2:org';
            """);

        Assert.Equal(("23505", "ingestion_pattern_job_template_relationship_pattern_key"), (error.SqlState, error.ConstraintName));
    }

    [Fact]
    public async Task JobTemplateJsonColumnsDefaultToEmptyObjects()
    {
        await using var database = await TestDatabase.CreateAsync();

        await database.ExecuteAsync(OneTemplate);

        var columns = await database.ScalarAsync<string>("""
            SELECT concat_ws(' ', source_runtime_parameters, destination_runtime_parameters,
                             source_connection_info, destination_connection_info)
              FROM streamsets.job_template
            """);
        Assert.Equal("{} {} {} {}", columns);
    }

    [Theory]
    [InlineData("source_runtime_parameters", "[]")]
    [InlineData("destination_runtime_parameters", "\"GET\"")]
    [InlineData("source_connection_info", "42")]
    [InlineData("destination_connection_info", "null")]
    public async Task JobTemplateJsonColumnsRejectNonObjects(string column, string json)
    {
        await using var database = await TestDatabase.CreateAsync();
        await database.ExecuteAsync(OneTemplate);

        var error = await database.RejectsAsync($"UPDATE streamsets.job_template SET {column} = '{json}'");

        Assert.Equal(("23514", "job_template_parameters_are_objects"), (error.SqlState, error.ConstraintName));
    }

    [Theory]
    [InlineData("""
        INSERT INTO streamsets.job_instance (job_run_id, job_template_id, user_id, user_run_id, engine_id, pipeline_id, successful_run)
        VALUES ('job-2:org', 1, 'mark', 'run-2', 'engine-1', 'pipeline-1', false)
        """)]
    [InlineData("UPDATE streamsets.job_instance SET input_record_count = 99")]
    [InlineData("DELETE FROM streamsets.job_instance")]
    public async Task JobInstanceViewRejectsWrites(string write)
    {
        await using var database = await TestDatabase.CreateAsync();
        await database.ExecuteAsync(OneTemplate + OneMetricsRow);

        var error = await database.RejectsAsync(write);

        Assert.Contains("read-only", error.MessageText);
        var rows = await database.QueryAsync<(string, long)>("SELECT job_run_id, input_record_count FROM streamsets.job_instance");
        Assert.Equal([("job-1:org", 10L)], rows);
    }

    [Fact]
    public async Task JobRunMetricsCountsHoldMoreThanTwoBillionRecords()
    {
        await using var database = await TestDatabase.CreateAsync();

        await database.ExecuteAsync(OneTemplate + OneMetricsRow.Replace("10, 10, 0", "3000000000, 3000000000, 3000000000"));

        var counts = await database.QueryAsync<(long, long, long)>(
            "SELECT input_record_count, output_record_count, error_record_count FROM streamsets.job_instance");
        Assert.Equal([(3_000_000_000L, 3_000_000_000L, 3_000_000_000L)], counts);
    }

    [Fact]
    public async Task RunStateCheckRejectsUnknownState()
    {
        await using var database = await TestDatabase.CreateAsync();
        await database.ExecuteAsync(OneTemplate);

        var error = await database.RejectsAsync(Run("11111111-1111-1111-1111-111111111111", "PAUSED"));

        Assert.Equal(("23514", "run_state_check"), (error.SqlState, error.ConstraintName));
    }

    [Fact]
    public async Task RunInstanceStateCheckRejectsUnknownState()
    {
        await using var database = await TestDatabase.CreateAsync();
        await database.ExecuteAsync(OneTemplate + Run("11111111-1111-1111-1111-111111111111", "RUNNING"));

        var error = await database.RejectsAsync("""
            INSERT INTO streamsets.run_instance (instance_id, run_id, ordinal, job_template_id, platform, state, parameters, deadline_at)
            SELECT gen_random_uuid(), '11111111-1111-1111-1111-111111111111', 0, min(job_template_id), 'controlhub', 'ACTIVE', '{}', now()
              FROM streamsets.job_template
            """);

        Assert.Equal(("23514", "run_instance_state_check"), (error.SqlState, error.ConstraintName));
    }

    private static string Run(string runId, string state) => $"""
        INSERT INTO streamsets.run (run_id, user_id, user_run_id, source_type, target_type, job_template_id,
                                    pattern_name, platform, platform_template_id, state)
        VALUES ('{runId}', 'mark', 'run-1', 'http', 'gcs', 1, 'http-to-gcs', 'controlhub', 'template-1:org', '{state}');
        """;
}
