namespace JobTemplateService.Tests;

/// <summary>The migration runner (DbUp with the service's journal and advisory lock), in process.</summary>
public sealed class MigrationTests
{
    private const string Journal = "SELECT name || ' ' || backward_compatible FROM streamsets.schema_migration ORDER BY name";

    // A migration that changes the schema and the data, then fails: nothing of it may remain.
    private static readonly Migration Broken = new("0900_broken.sql", """
        ALTER TABLE streamsets.run ADD COLUMN half_done int;
        CREATE TABLE streamsets.half_done (id int);
        UPDATE streamsets.job_template SET description = 'changed by a broken migration';
        SELECT 1 / 0;
        """);

    [Fact]
    public async Task MigratingAnEmptyDatabaseAppliesEveryMigrationAndJournalsEach()
    {
        await using var database = await TestDatabase.CreateEmptyAsync();

        var result = await database.MigrateAsync();

        var names = MigrationSource.BuiltIn().Select(m => m.Name).ToList();
        Assert.Equal(names, result.Applied.Select(m => m.Name));
        Assert.Equal(MigrationSource.BuiltIn().Select(JournalLine), await database.QueryAsync<string>(Journal));
        Assert.StartsWith("0001_", names[0]);
    }

    [Fact]
    public async Task MigratingTwiceIsANoOp()
    {
        await using var database = await TestDatabase.CreateEmptyAsync();
        await database.MigrateAsync();
        var schema = await SchemaSnapshot.TakeAsync(database);
        var journal = await database.QueryAsync<string>("SELECT name || ' ' || applied_at FROM streamsets.schema_migration ORDER BY name");

        var second = await database.MigrateAsync();

        Assert.Empty(second.Applied);
        Assert.Equal(schema, await SchemaSnapshot.TakeAsync(database));
        Assert.Equal(journal, await database.QueryAsync<string>("SELECT name || ' ' || applied_at FROM streamsets.schema_migration ORDER BY name"));
    }

    [Fact]
    public async Task FailingMigrationIsRolledBackAndNamedWithItsError()
    {
        await using var database = await TestDatabase.CreateAsync();
        await database.TemplateAsync("http", "gcs", "template-1:org");
        var schema = await SchemaSnapshot.TakeAsync(database);
        var rows = await database.DumpAsync();

        var result = await database.Migrator([.. MigrationSource.BuiltIn(), Broken]).MigrateAsync((_, _) => { }, CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Equal("0900_broken.sql", result.FailedMigration);
        Assert.Equal("division by zero (SQLSTATE 22012)", result.Error);
        Assert.Empty(result.Applied);
        Assert.Equal(schema, await SchemaSnapshot.TakeAsync(database));
        Assert.Equal(rows, await database.DumpAsync());
    }

    [Fact]
    public async Task MigrationsBeforeAFailingOneStayApplied()
    {
        await using var database = await TestDatabase.CreateEmptyAsync();

        var result = await database.Migrator([.. MigrationSource.BuiltIn(), Broken]).MigrateAsync((_, _) => { }, CancellationToken.None);

        Assert.Equal("0900_broken.sql", result.FailedMigration);
        Assert.Equal(MigrationSource.BuiltIn().Select(m => m.Name), result.Applied.Select(m => m.Name));
        Assert.Equal(MigrationSource.BuiltIn().Select(JournalLine), await database.QueryAsync<string>(Journal));
        Assert.Equal(0L, await database.ScalarAsync<long>(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'streamsets' AND table_name = 'half_done'"));
    }

    [Fact]
    public async Task ReplicasMigratingTogetherApplyEachMigrationOnce()
    {
        await using var database = await TestDatabase.CreateEmptyAsync();
        var migrations = MigrationSource.BuiltIn();

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            Task.Run(() => database.Migrator(migrations).MigrateAsync((_, _) => { }, CancellationToken.None))));

        Assert.All(results, r => Assert.True(r.Succeeded, r.Error));
        Assert.Equal(migrations.Count, results.Sum(r => r.Applied.Count));
        Assert.Equal(migrations.Select(JournalLine), await database.QueryAsync<string>(Journal));
    }

    [Fact]
    public async Task JournalRecordsWhetherAMigrationIsBackwardCompatible()
    {
        await using var database = await TestDatabase.CreateAsync();
        Migration[] added =
        [
            new("0901_add_column.sql", "-- Adds a column older builds ignore.\n-- compatibility: backward\nALTER TABLE streamsets.run ADD COLUMN note varchar;"),
            new("0902_drop_column.sql", "-- Older builds still read it.\nALTER TABLE streamsets.run DROP COLUMN note;"),
        ];

        await database.MigrateAsync([.. MigrationSource.BuiltIn(), .. added]);

        var journal = await database.QueryAsync<string>(Journal);
        Assert.Equal(["0901_add_column.sql true", "0902_drop_column.sql false"], journal.Where(j => j.StartsWith("090")));
    }

    [Theory]
    [InlineData("-- compatibility: backward\nSELECT 1;", true)]
    [InlineData("-- Adds a column.\n--\n--   Compatibility:   Backward  \nSELECT 1;", true)]
    [InlineData("-- compatibility: none\nSELECT 1;", false)]
    [InlineData("SELECT 1;\n-- compatibility: backward", false)]
    [InlineData("-- compatibility: backward, mostly\nSELECT 1;", false)]
    public void CompatibilityMarkerCountsOnlyAsAWholeLineOfTheLeadingComments(string sql, bool compatible)
    {
        Assert.Equal(compatible, new Migration("0900_x.sql", sql).BackwardCompatible);
    }

    private static string JournalLine(Migration migration) => $"{migration.Name} {(migration.BackwardCompatible ? "true" : "false")}";
}
