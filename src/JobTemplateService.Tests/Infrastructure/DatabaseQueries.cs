using Dapper;
using Npgsql;

namespace JobTemplateService.Tests;

/// <summary>Small reads and expected failures against a test database, for tests of the schema itself.</summary>
public static class DatabaseQueries
{
    public static async Task<T> ScalarAsync<T>(this TestDatabase database, string sql)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        return (await connection.ExecuteScalarAsync<T>(sql))!;
    }

    public static async Task<IReadOnlyList<T>> QueryAsync<T>(this TestDatabase database, string sql)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        return (await connection.QueryAsync<T>(sql)).ToList();
    }

    /// <summary>Runs SQL that must fail, and returns the server's error.</summary>
    public static Task<PostgresException> RejectsAsync(this TestDatabase database, string sql) =>
        Assert.ThrowsAsync<PostgresException>(() => database.ExecuteAsync(sql));

    /// <summary>Applies the service's migrations as `migrate` does; fails the test when one fails.</summary>
    internal static async Task<MigrationResult> MigrateAsync(this TestDatabase database, IReadOnlyList<Migration>? migrations = null)
    {
        var result = await database.Migrator(migrations).MigrateAsync((_, _) => { }, CancellationToken.None);
        Assert.True(result.Succeeded, $"Migration {result.FailedMigration} failed: {result.Error}");
        return result;
    }

    internal static SchemaMigrator Migrator(this TestDatabase database, IReadOnlyList<Migration>? migrations = null) =>
        new(SchemaMigrator.ConnectionString(database.ConnectionString), migrations ?? MigrationSource.BuiltIn());

    public static Task ApplyOriginalServiceTablesAsync(this TestDatabase database) =>
        database.ExecuteAsync(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Schema", "original-service-tables.sql")));
}
