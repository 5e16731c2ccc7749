namespace JobTemplateService.Tests;

/// <summary>
/// The schemas a database can have before its first versioned migration: the original Python
/// service's, and sql/postgres-tables.sql of every released version of this project, kept
/// verbatim from git history in Released/&lt;commit&gt;.sql (all applied by hand, none journaled).
/// </summary>
public static class ReleasedSchemas
{
    public const string Original = "original-service";

    /// <summary>Oldest first: `git log --format=%h --follow -- sql/postgres-tables.sql` before migrations existed.</summary>
    public static readonly string[] Commits = ["e45e3dc", "8e56978", "ba21833", "e821209", "52698d9"];

    public static TheoryData<string> Released => [.. Commits];

    public static TheoryData<string> All => [Original, .. Commits];

    /// <summary>A fresh database holding that schema, as its own script created it.</summary>
    public static async Task<TestDatabase> CreateAsync(string schema)
    {
        var database = await TestDatabase.CreateEmptyAsync();
        var script = schema == Original
            ? Path.Combine(AppContext.BaseDirectory, "Schema", "original-service-tables.sql")
            : Path.Combine(AppContext.BaseDirectory, "Schema", "Released", schema + ".sql");
        await database.ExecuteAsync(await File.ReadAllTextAsync(script));
        return database;
    }

    /// <summary>Rows of every kind that schema holds (<see cref="ReleasedRows"/>, or the original service's own).</summary>
    public static Task InsertRowsAsync(TestDatabase database, string schema, string monitoredJobId) =>
        schema == Original
            ? database.ExecuteAsync(OriginalSchemaMigrationTests.OriginalRows)
            : ReleasedRows.InsertAsync(database, monitoredJobId);

    /// <summary>The original's metrics table becomes a view; its rows stay, untouched, in job_instance_legacy.</summary>
    public static string TableAfterMigration(string schema, string table) =>
        schema == Original && table == "job_instance" ? "job_instance_legacy" : table;
}
