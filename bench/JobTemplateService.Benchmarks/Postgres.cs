using Dapper;
using Npgsql;

namespace JobTemplateService.Benchmarks;

/// <summary>
/// The throwaway cluster bench/run.sh started. Each scenario gets a fresh database cloned from the
/// template database that holds the service's schema, so no scenario sees another's rows.
/// </summary>
internal sealed class Postgres(BenchSettings settings)
{
    /// <summary>The Control Hub job template every benchmark rule points at (the fake's default organisation).</summary>
    public const string PlatformTemplateId = "be4c0000-0000-4000-8000-000000000001:8030c2e9-1a39-11ec-a5fe-97c8d4369386";

    private readonly NpgsqlConnectionStringBuilder admin = new(settings.AdminConnectionString);

    public string Host => admin.Host!;
    public int Port => admin.Port;
    public string User => admin.Username!;

    public async Task<BenchDatabase> CreateDatabaseAsync(string name)
    {
        await using (var connection = new NpgsqlConnection(settings.AdminConnectionString))
        {
            await connection.OpenAsync();
            await connection.ExecuteAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            await connection.ExecuteAsync($"CREATE DATABASE {name} TEMPLATE {settings.TemplateDatabase}");
        }
        var builder = new NpgsqlConnectionStringBuilder(settings.AdminConnectionString) { Database = name, CommandTimeout = 600 };
        var database = new BenchDatabase(name, NpgsqlDataSource.Create(builder.ConnectionString));
        await database.SeedRuleAsync();
        return database;
    }

    public async Task<string> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(settings.AdminConnectionString);
        return await connection.ExecuteScalarAsync<string>(sql) ?? "";
    }
}

/// <summary>A scenario's database, seeded with one rule: source-type http, target-type gcs, on Control Hub.</summary>
internal sealed record BenchDatabase(string Name, NpgsqlDataSource Source) : IAsyncDisposable
{
    public const string SourceType = "http", TargetType = "gcs";

    public int JobTemplateId { get; private set; }

    public async Task SeedRuleAsync()
    {
        await using var connection = await Source.OpenConnectionAsync();
        JobTemplateId = await connection.ExecuteScalarAsync<int>("""
            WITH p AS (
                INSERT INTO streamsets.ingestion_pattern (pattern_name, source, destination)
                VALUES ('http-to-gcs', @SourceType, @TargetType) RETURNING ingestion_pattern_id
            ), t AS (
                INSERT INTO streamsets.job_template (sch_job_template_id, source_runtime_parameters, destination_connection_info)
                VALUES (@PlatformTemplateId, '{"HTTP_MODE": "POLLING"}', '{"GCS_CONNECTION": "bench-gcs-connection"}')
                RETURNING job_template_id
            ), r AS (
                INSERT INTO streamsets.ingestion_pattern_job_template_relationship (ingestion_pattern_id, job_template_id)
                SELECT p.ingestion_pattern_id, t.job_template_id FROM p, t
            )
            SELECT job_template_id FROM t
            """, new { SourceType, TargetType, Postgres.PlatformTemplateId });
    }

    public async Task ExecuteAsync(string sql, object? parameters = null)
    {
        await using var connection = await Source.OpenConnectionAsync();
        await connection.ExecuteAsync(sql, parameters);
    }

    public async Task<T> ScalarAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await Source.OpenConnectionAsync();
        return (await connection.ExecuteScalarAsync<T>(sql, parameters))!;
    }

    public async Task<List<T>> QueryAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await Source.OpenConnectionAsync();
        return (await connection.QueryAsync<T>(sql, parameters)).AsList();
    }

    public ValueTask DisposeAsync() => Source.DisposeAsync();
}
