namespace JobTemplateService.Tests;

/// <summary>Configuration rows for tests. The README example is the original service's, verbatim.</summary>
public static class Seed
{
    public const string ExampleTemplateId = "c09f728a-2a73-4c7e-b735-2512039a9e6b:8030c2e9-1a39-11ec-a5fe-97c8d4369386";

    /// <summary>The three INSERT statements of the original README, character for character.</summary>
    public const string OriginalReadmeInserts = """
        insert into streamsets.ingestion_pattern (
          pattern_name,
          source,
          destination,
          create_timestamp
        )
         values('http-to-gcs', 'http','gcs', CURRENT_TIMESTAMP);

        insert into streamsets.job_template(
          sch_job_template_id,
          delete_after_completion,
          source_runtime_parameters,
          destination_runtime_parameters,
          source_connection_info,
          destination_connection_info,
          create_timestamp
          ) values (
            'c09f728a-2a73-4c7e-b735-2512039a9e6b:8030c2e9-1a39-11ec-a5fe-97c8d4369386',
            false,
            '{"HTTP_MODE": "POLLING", "HTTP_METHOD": "GET"}',
            '{}',
            '{}',
            '{"GCS_CONNECTION" : "9c960db9-7904-47c4-bbc8-4c95dcf9c959:8030c2e9-1a39-11ec-a5fe-97c8d4369386"}',
            CURRENT_TIMESTAMP
        );

        insert into streamsets.ingestion_pattern_job_template_relationship (
          ingestion_pattern_id,
          job_template_id,
          schedule
        ) select p.ingestion_pattern_id, t.job_template_id, '{}'
            from  streamsets.ingestion_pattern p,
                  streamsets.job_template t
             where p.source =  'http'
             and p.destination = 'gcs'
             and t.sch_job_template_id = 'c09f728a-2a73-4c7e-b735-2512039a9e6b:8030c2e9-1a39-11ec-a5fe-97c8d4369386';
        """;

    /// <summary>The original README's two-city launch body.</summary>
    public const string TwoCityBody = """
        {
          "user-id": "mark@onefoursix.com",
          "user-run-id": "run-123",
          "source-type": "http",
          "target-type": "gcs",
          "runtime-parameters": [
            {
              "HTTP_URL": "http://api.openweathermap.org/data/2.5/weather",
              "CITY": "London",
              "GCS_BUCKET": "146_gcs_bucket",
              "GCS_FOLDER": "UK"
            },
            {
              "HTTP_URL": "http://api.openweathermap.org/data/2.5/weather",
              "CITY": "Phoenix",
              "GCS_BUCKET": "146_gcs_bucket",
              "GCS_FOLDER": "US"
            }
          ]
        }
        """;

    public static Task ExampleTemplateAsync(this TestDatabase database) => database.ExecuteAsync(OriginalReadmeInserts);

    /// <summary>A rule (source → target) and its template; extra template columns as SQL assignments.</summary>
    public static Task TemplateAsync(this TestDatabase database, string source, string target, string templateId,
        string sourceParameters = "{}", string destinationConnection = "{}", string extraColumns = "", string extraValues = "",
        bool deleteAfterCompletion = false) =>
        database.ExecuteAsync($"""
            WITH p AS (
                INSERT INTO streamsets.ingestion_pattern (pattern_name, source, destination)
                VALUES ('{source}-to-{target}', '{source}', '{target}') RETURNING ingestion_pattern_id
            ), t AS (
                INSERT INTO streamsets.job_template (sch_job_template_id, delete_after_completion, source_runtime_parameters,
                                                     destination_connection_info{extraColumns})
                VALUES ('{templateId}', {deleteAfterCompletion}, '{sourceParameters}', '{destinationConnection}'{extraValues})
                RETURNING job_template_id
            )
            INSERT INTO streamsets.ingestion_pattern_job_template_relationship (ingestion_pattern_id, job_template_id, schedule)
            SELECT p.ingestion_pattern_id, t.job_template_id, NULL FROM p, t
            """);
}
