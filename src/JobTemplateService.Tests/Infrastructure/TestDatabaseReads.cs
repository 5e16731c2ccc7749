using Npgsql;

namespace JobTemplateService.Tests;

/// <summary>Reads what the service wrote, straight from its tables.</summary>
public static class TestDatabaseReads
{
    public static async Task<IReadOnlyList<string>> StringsAsync(this TestDatabase database, string sql)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync()) values.Add(reader.GetString(0));
        return values;
    }

    /// <summary>Rows in the tables a launch writes: runs, instances and idempotency records.</summary>
    public static async Task<(long Runs, long Instances, long Requests)> LaunchRowsAsync(this TestDatabase database) => (
        await database.ScalarAsync<long>("SELECT count(*) FROM streamsets.run"),
        await database.ScalarAsync<long>("SELECT count(*) FROM streamsets.run_instance"),
        await database.ScalarAsync<long>("SELECT count(*) FROM streamsets.launch_request"));

    /// <summary>A rejected launch leaves nothing behind: no rows and no call to Control Hub.</summary>
    public static async Task AssertNothingLaunchedAsync(this TestApp app)
    {
        Assert.Equal((0L, 0L, 0L), await app.Database.LaunchRowsAsync());
        Assert.Equal(0, app.ControlHub.CreateCalls);
    }
}
