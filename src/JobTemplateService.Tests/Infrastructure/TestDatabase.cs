using Npgsql;
using Testcontainers.PostgreSql;

namespace JobTemplateService.Tests;

/// <summary>
/// A fresh database with the real schema for every test. The server comes from JTS_TEST_POSTGRES
/// (scripts/test.sh starts a throwaway cluster and sets it) or, when that is unset, from a
/// Testcontainers PostgreSQL container. The service's own migrations are applied once to a template
/// database, as `migrate` applies them; each test clones it, so tests share nothing and run in parallel.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string ServerVariable = "JTS_TEST_POSTGRES";
    // One template per test process, so that several test runs can share a server.
    private static readonly string TemplateName = $"jts_schema_template_{Environment.ProcessId}_{Random.Shared.Next(1_000_000)}";
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? serverConnectionString;
    private static PostgreSqlContainer? container;

    private TestDatabase(string connectionString) => ConnectionString = connectionString;

    public string ConnectionString { get; }

    public NpgsqlConnectionStringBuilder Settings => new(ConnectionString);

    public static async Task<TestDatabase> CreateAsync()
    {
        var server = await ServerAsync();
        var name = "jts_test_" + Guid.NewGuid().ToString("N")[..16];
        await Gate.WaitAsync();
        try
        {
            await using var connection = new NpgsqlConnection(server);
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name} TEMPLATE {TemplateName}", connection);
            await create.ExecuteNonQueryAsync();
        }
        finally
        {
            Gate.Release();
        }
        // Idle test-side connections go quickly: hundreds of test databases in one run must not
        // each keep one open for the default five minutes (the server allows 300 in all).
        return new TestDatabase(new NpgsqlConnectionStringBuilder(server)
        {
            Database = name, Pooling = true, ConnectionIdleLifetime = 2, ConnectionPruningInterval = 1,
        }.ConnectionString);
    }

    /// <summary>An empty database (no schema), for tests of the migrations themselves.</summary>
    public static async Task<TestDatabase> CreateEmptyAsync()
    {
        var server = await ServerAsync();
        var name = "jts_empty_" + Guid.NewGuid().ToString("N")[..16];
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await create.ExecuteNonQueryAsync();
        return new TestDatabase(new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString);
    }

    /// <summary>Drops the database, closing what is still connected to it: a run leaves no test databases behind.</summary>
    public async ValueTask DisposeAsync()
    {
        var settings = Settings;
        if (serverConnectionString is null || settings.Database is not { } name) return;
        NpgsqlConnection.ClearPool(new NpgsqlConnection(ConnectionString));
        await using var connection = new NpgsqlConnection(serverConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<string> ServerAsync()
    {
        if (serverConnectionString is not null) return serverConnectionString;
        await Gate.WaitAsync();
        try
        {
            if (serverConnectionString is not null) return serverConnectionString;
            var server = Environment.GetEnvironmentVariable(ServerVariable);
            if (string.IsNullOrWhiteSpace(server))
            {
                container = new PostgreSqlBuilder("postgres:15-alpine").Build();
                await container.StartAsync();
                server = container.GetConnectionString();
            }
            server = new NpgsqlConnectionStringBuilder(server) { Pooling = false }.ConnectionString;
            await CreateTemplateAsync(server);
            AppDomain.CurrentDomain.ProcessExit += (_, _) => DropTemplate(server);
            serverConnectionString = server;
            return server;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>The schema template goes with the test process, so a shared server keeps no leftovers.</summary>
    private static void DropTemplate(string server)
    {
        try
        {
            using var connection = new NpgsqlConnection(server);
            connection.Open();
            using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {TemplateName} WITH (FORCE)", connection);
            drop.ExecuteNonQuery();
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            // The server may be gone already (a throwaway cluster stopped first); nothing is left then.
        }
    }

    private static async Task CreateTemplateAsync(string server)
    {
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {TemplateName} WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {TemplateName}", connection);
            await create.ExecuteNonQueryAsync();
        }
        var template = new NpgsqlConnectionStringBuilder(server) { Database = TemplateName }.ConnectionString;
        var migrated = await new SchemaMigrator(SchemaMigrator.ConnectionString(template), MigrationSource.BuiltIn())
            .MigrateAsync((_, _) => { }, CancellationToken.None);
        if (!migrated.Succeeded) throw new InvalidOperationException($"Migration {migrated.FailedMigration} failed: {migrated.Error}");
    }
}
