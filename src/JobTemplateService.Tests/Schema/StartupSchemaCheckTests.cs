namespace JobTemplateService.Tests;

/// <summary>What the service does at start-up when the database's schema is not the one it was built for.</summary>
[Collection(SerialCollection.Name)]
public sealed class StartupSchemaCheckTests
{
    [Theory]
    [InlineData("empty")]
    [InlineData("last released")]
    public async Task ServiceOnADatabaseBehindItExitsWith2AndOneLineSayingToMigrate(string schema)
    {
        await using var database = schema == "empty"
            ? await TestDatabase.CreateEmptyAsync()
            : await ReleasedSchemas.CreateAsync(ReleasedSchemas.Commits[^1]);

        var result = await SchemaProcess.RunAsync(database);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith("schema error: the database schema is at no migration yet but this version of the service needs " +
            Path.GetFileNameWithoutExtension(MigrationSource.BuiltIn()[^1].Name), line);
        Assert.Contains("run `dotnet JobTemplateService.dll migrate` first, or set Database:MigrateOnStartup=true", line);
        Assert.Equal(0L, await database.ScalarAsync<long>(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'streamsets' AND table_name = 'schema_migration'"));
    }

    [Fact]
    public async Task ServiceOnADatabaseMigratedByANewerVersionExitsWith2()
    {
        await using var database = await TestDatabase.CreateAsync();
        await database.ExecuteAsync("INSERT INTO streamsets.schema_migration (name, backward_compatible) VALUES ('9999_from_the_future.sql', false)");

        var result = await SchemaProcess.RunAsync(database);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith("schema error: the database schema is at 9999_from_the_future, newer than this version of the service", line);
        Assert.Contains("9999_from_the_future.sql", line);
    }

    [Fact]
    public async Task ServiceOnADatabaseAheadOnlyByBackwardCompatibleMigrationsRuns()
    {
        await using var database = await TestDatabase.CreateAsync();
        await database.ExecuteAsync("""
            INSERT INTO streamsets.schema_migration (name, backward_compatible) VALUES ('9998_add_a_column.sql', true);
            ALTER TABLE streamsets.run ADD COLUMN note varchar;
            """);

        await using var app = await TestApp.StartAsync(settings => settings["Database:MigrateOnStartup"] = "false", database: database);
        using var live = await app.Client.GetAsync("/health/live");
        using var runs = await app.Client.GetAsync("/v1/runs");

        Assert.True(live.IsSuccessStatusCode);
        Assert.True(runs.IsSuccessStatusCode);
    }

    [Fact]
    public async Task ServiceWithMigrateOnStartupMigratesTheDatabaseItStartsOn()
    {
        await using var database = await ReleasedSchemas.CreateAsync(ReleasedSchemas.Commits[0]);

        await using var app = await TestApp.StartAsync(database: database);
        using var runs = await app.Client.GetAsync("/v1/runs");

        Assert.True(runs.IsSuccessStatusCode);
        Assert.Equal(MigrationSource.BuiltIn().Select(m => m.Name),
            await database.QueryAsync<string>("SELECT name FROM streamsets.schema_migration ORDER BY name"));
    }
}
