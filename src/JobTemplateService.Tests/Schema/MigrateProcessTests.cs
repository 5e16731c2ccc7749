namespace JobTemplateService.Tests;

/// <summary>`dotnet JobTemplateService.dll migrate` as an operator runs it, e.g. as a deploy step.</summary>
[Collection(SerialCollection.Name)]
public sealed class MigrateProcessTests
{
    private static readonly string FirstMigration = MigrationSource.BuiltIn()[0].Name;

    [Fact]
    public async Task MigrateAppliesThePendingMigrationsPrintsEachAndExits0()
    {
        await using var database = await TestDatabase.CreateEmptyAsync();

        var first = await SchemaProcess.RunAsync(database, arguments: "migrate");
        var second = await SchemaProcess.RunAsync(database, arguments: "migrate");

        Assert.True(first.ExitCode == 0, first.Stdout + first.Stderr);
        Assert.Contains($"  applied {FirstMigration} (", first.Stdout);
        Assert.Contains($"Done: {MigrationSource.BuiltIn().Count} migration", first.Stdout);
        Assert.Equal(MigrationSource.BuiltIn().Select(m => m.Name),
            await database.QueryAsync<string>("SELECT name FROM streamsets.schema_migration ORDER BY name"));
        Assert.Equal(0, second.ExitCode);
        Assert.DoesNotContain("applied", second.Stdout);
        Assert.Contains("Nothing to apply", second.Stdout);
    }

    [Fact]
    public async Task DryRunListsThePendingMigrationsAndAppliesNothing()
    {
        await using var database = await ReleasedSchemas.CreateAsync(ReleasedSchemas.Commits[^1]);
        var schema = await SchemaSnapshot.TakeAsync(database);

        var result = await SchemaProcess.RunAsync(database, arguments: ["migrate", "--dry-run"]);

        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        Assert.Contains($"  {FirstMigration}", result.Stdout.Split('\n'));
        Assert.Contains("Nothing was applied", result.Stdout);
        Assert.Equal(schema, await SchemaSnapshot.TakeAsync(database));
    }

    [Fact]
    public async Task FailingMigrationExitsNonZeroNamingItAndItsErrorAndChangesNothing()
    {
        await using var database = await TestDatabase.CreateAsync();
        await database.TemplateAsync("http", "gcs", "template-1:org");
        var schema = await SchemaSnapshot.TakeAsync(database);
        var rows = await database.DumpAsync();
        var migrations = SchemaProcess.MigrationsDirectory(new Migration("0900_broken.sql", """
            ALTER TABLE streamsets.run ADD COLUMN half_done int;
            UPDATE streamsets.job_template SET description = 'changed by a broken migration';
            SELECT no_such_column FROM streamsets.run;
            """));

        var result = await SchemaProcess.RunAsync(database, new Dictionary<string, string> { ["Database__MigrationsDirectory"] = migrations },
            "migrate");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("Migration 0900_broken.sql failed and was rolled back: column \"no_such_column\" does not exist",
            result.StderrLines[0]);
        Assert.Equal(schema, await SchemaSnapshot.TakeAsync(database));
        Assert.Equal(rows, await database.DumpAsync());
    }

    [Fact]
    public async Task MistypedFlagAppliesNothing()
    {
        await using var database = await TestDatabase.CreateEmptyAsync();

        var result = await SchemaProcess.RunAsync(database, arguments: ["migrate", "--dryrun"]);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("usage: JobTemplateService migrate", result.Stderr);
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM pg_namespace WHERE nspname = 'streamsets'"));
    }

    [Fact]
    public async Task MigrationsDirectoryThatIsNotAFolderIsAConfigurationError()
    {
        await using var database = await TestDatabase.CreateEmptyAsync();

        var result = await SchemaProcess.RunAsync(database,
            new Dictionary<string, string> { ["Database__MigrationsDirectory"] = "/no/such/folder" }, "migrate");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("configuration error: appsettings.json Database:MigrationsDirectory: is not a folder", Assert.Single(result.StderrLines));
    }

    [Fact]
    public async Task ScriptFlagPrintsTheCheckedInInstallFileWithoutAnyConfiguration()
    {
        var result = await ServiceProcess.RunAsync(ServiceProcess.Directory(), arguments: ["migrate", "--script"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(File.ReadAllText(RepositoryFiles.Path("sql", "postgres-tables.sql")), result.Stdout);
    }
}
