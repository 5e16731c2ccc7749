using System.Text.Json;
using Dapper;
using Npgsql;

namespace JobTemplateService.Benchmarks;

/// <summary>
/// The floor: what any launch endpoint must do at the least, in the service's own host (same
/// middleware, same connection pool). Four simple statements of the launch's shape (template
/// lookup, intent insert, mark starting, record the outcome), each its own round trip, and the same
/// Control Hub create call — no validation, merging, idempotency, resilience, logging or response model.
/// Its tables live in a "bench" schema that the driver creates.
/// </summary>
internal static class Floor
{
    public const string Path = "/bench/floor";

    public const string Schema = """
        CREATE SCHEMA IF NOT EXISTS bench;
        CREATE TABLE IF NOT EXISTS bench.floor_run (
            run_id uuid PRIMARY KEY, user_run_id varchar NOT NULL, state varchar NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
        CREATE TABLE IF NOT EXISTS bench.floor_instance (
            instance_id uuid PRIMARY KEY, run_id uuid NOT NULL, ordinal int NOT NULL, state varchar NOT NULL, job_id varchar,
            UNIQUE (run_id, ordinal));
        """;

    public static void MapFloor(this WebApplication app) => app.MapPost(Path, LaunchAsync);

    private static async Task<IResult> LaunchAsync(HttpRequest http, NpgsqlDataSource db, FloorPlatform platform, CancellationToken ct)
    {
        using var body = await JsonDocument.ParseAsync(http.Body, cancellationToken: ct);
        var root = body.RootElement;
        var userRunId = root.GetProperty("user-run-id").GetString()!;
        var sets = root.GetProperty("runtime-parameters").EnumerateArray()
            .Select(set => set.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "")).ToList();
        var runId = Guid.CreateVersion7();
        var ids = sets.Select(_ => Guid.CreateVersion7()).ToArray();

        string templateId;
        await using (var connection = await db.OpenConnectionAsync(ct))
        {
            templateId = await connection.QuerySingleAsync<string>(new CommandDefinition("""
                SELECT t.sch_job_template_id
                  FROM streamsets.ingestion_pattern p
                  JOIN streamsets.ingestion_pattern_job_template_relationship r ON r.ingestion_pattern_id = p.ingestion_pattern_id
                  JOIN streamsets.job_template t ON t.job_template_id = r.job_template_id
                 WHERE p.source = @source AND p.destination = @target
                """, new { source = root.GetProperty("source-type").GetString(), target = root.GetProperty("target-type").GetString() },
                cancellationToken: ct));
        }
        await ExecuteAsync(db, """
            WITH run AS (
                INSERT INTO bench.floor_run (run_id, user_run_id, state) VALUES (@runId, @userRunId, 'STARTING') RETURNING run_id
            )
            INSERT INTO bench.floor_instance (instance_id, run_id, ordinal, state)
            SELECT u.id, run.run_id, u.ordinal - 1, 'PENDING' FROM run CROSS JOIN unnest(@ids) WITH ORDINALITY AS u(id, ordinal)
            """, new { runId, userRunId, ids }, ct);
        await ExecuteAsync(db, "UPDATE bench.floor_instance SET state = 'STARTING' WHERE run_id = @runId", new { runId }, ct);

        var jobIds = await platform.CreateAndStartAsync(templateId, runId, sets, ct);

        await ExecuteAsync(db, """
            UPDATE bench.floor_instance i SET state = 'RUNNING', job_id = u.job_id FROM unnest(@ids, @jobIds) AS u(id, job_id)
             WHERE i.instance_id = u.id;
            UPDATE bench.floor_run SET state = 'RUNNING' WHERE run_id = @runId;
            """, new { runId, ids, jobIds }, ct);
        return Results.Ok(new { runId, jobIds });
    }

    private static async Task ExecuteAsync(NpgsqlDataSource db, string sql, object parameters, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(sql, parameters, cancellationToken: ct));
    }
}
