using System.Diagnostics;

namespace JobTemplateService.Tests;

/// <summary>sql/postgres-tables.sql: generated from the migrations, and applied with psql as users apply it.</summary>
public sealed class InstallScriptTests
{
    private static string CheckedIn => File.ReadAllText(RepositoryFiles.Path("sql", "postgres-tables.sql"));

    [Fact]
    public void CheckedInScriptIsTheOneGeneratedFromTheMigrations()
    {
        var generated = InstallScript.Generate(MigrationSource.BuiltIn());

        Assert.True(generated == CheckedIn,
            $"sql/postgres-tables.sql is stale: regenerate it from sql/migrations/ with\n  {InstallScript.RegenerateCommand}");
    }

    [Fact]
    public void ScriptCarriesEveryMigrationOnce()
    {
        foreach (var migration in MigrationSource.BuiltIn())
        {
            Assert.Single(CheckedIn.Split('\n'), line => line == $"-- Migration {migration.Name}");
            Assert.Contains(migration.Sql.Trim(), CheckedIn);
        }
    }

    [Fact]
    public async Task PsqlInstallGivesTheSchemaAndJournalOfMigrate()
    {
        await using var installed = await TestDatabase.CreateEmptyAsync();
        await using var migrated = await TestDatabase.CreateEmptyAsync();

        await PsqlAsync(installed, RepositoryFiles.Path("sql", "postgres-tables.sql"));
        await migrated.MigrateAsync();

        Assert.Equal(await SchemaSnapshot.TakeAsync(migrated), await SchemaSnapshot.TakeAsync(installed));
        Assert.Equal(await JournalAsync(migrated), await JournalAsync(installed));
        Assert.Empty((await installed.Migrator().ReadStateAsync(CancellationToken.None)).Pending);
    }

    [Fact]
    public async Task PsqlInstallAppliedAgainOrAfterMigrateChangesNothing()
    {
        await using var twice = await TestDatabase.CreateEmptyAsync();
        await using var afterMigrate = await TestDatabase.CreateEmptyAsync();
        await PsqlAsync(twice, RepositoryFiles.Path("sql", "postgres-tables.sql"));
        await afterMigrate.MigrateAsync();
        var schema = await SchemaSnapshot.TakeAsync(twice);
        var journal = await twice.QueryAsync<string>("SELECT name || applied_at FROM streamsets.schema_migration");
        var migratedJournal = await afterMigrate.QueryAsync<string>("SELECT name || applied_at FROM streamsets.schema_migration");

        await PsqlAsync(twice, RepositoryFiles.Path("sql", "postgres-tables.sql"));
        await PsqlAsync(afterMigrate, RepositoryFiles.Path("sql", "postgres-tables.sql"));

        Assert.Equal(schema, await SchemaSnapshot.TakeAsync(twice));
        Assert.Equal(schema, await SchemaSnapshot.TakeAsync(afterMigrate));
        Assert.Equal(journal, await twice.QueryAsync<string>("SELECT name || applied_at FROM streamsets.schema_migration"));
        Assert.Equal(migratedJournal, await afterMigrate.QueryAsync<string>("SELECT name || applied_at FROM streamsets.schema_migration"));
    }

    private static Task<IReadOnlyList<string>> JournalAsync(TestDatabase database) =>
        database.QueryAsync<string>("SELECT name || ' ' || backward_compatible FROM streamsets.schema_migration ORDER BY name");

    /// <summary>psql -v ON_ERROR_STOP=1 -f FILE, as the README tells users; fails the test on a non-zero exit.</summary>
    private static async Task PsqlAsync(TestDatabase database, string file)
    {
        var settings = database.Settings;
        var start = new ProcessStartInfo("psql") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", settings.Host!, "-p", settings.Port.ToString(),
                     "-U", settings.Username!, "-d", settings.Database!, "-f", file })
            start.ArgumentList.Add(argument);
        if (settings.Password is { } password) start.Environment["PGPASSWORD"] = password;
        using var psql = Process.Start(start) ?? throw new InvalidOperationException("psql (postgresql-client) is needed for this test");
        var output = psql.StandardOutput.ReadToEndAsync();
        var error = psql.StandardError.ReadToEndAsync();
        await psql.WaitForExitAsync();
        Assert.True(psql.ExitCode == 0, $"psql exited {psql.ExitCode}: {await error}{await output}");
    }
}
