using Npgsql;

namespace JobTemplateService.Tests;

/// <summary>Things done to a test database from outside the service.</summary>
public static class TestDatabaseAdmin
{
    /// <summary>Drops the database under the running service, closing its connections: "the database is gone".</summary>
    public static async Task DropAsync(this TestDatabase database)
    {
        var server = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE {database.Settings.Database} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    /// <summary>Every row of every table of schema streamsets as text (row::text), by table name.</summary>
    public static async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> DumpAsync(this TestDatabase database)
    {
        var tables = await database.StringsAsync(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'streamsets' AND table_type = 'BASE TABLE'");
        var dump = new Dictionary<string, IReadOnlyList<string>>();
        foreach (var table in tables) dump[table] = await database.StringsAsync($"SELECT t::text FROM streamsets.\"{table}\" t");
        return dump;
    }
}
