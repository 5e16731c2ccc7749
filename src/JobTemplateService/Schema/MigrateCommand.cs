using JobTemplateService.Configuration;
using Microsoft.Extensions.Options;
using Npgsql;

namespace JobTemplateService.Schema;

/// <summary>
/// The `migrate` verb, run instead of the web host:
///   JobTemplateService migrate             applies the pending migrations, one line each
///   JobTemplateService migrate --dry-run   lists them and applies nothing
///   JobTemplateService migrate --script    prints the one-file psql install (needs no database)
/// </summary>
internal static class MigrateCommand
{
    public const string Usage = """
        usage: JobTemplateService migrate             apply the pending schema migrations
               JobTemplateService migrate --dry-run   list them without applying anything
               JobTemplateService migrate --script    print the one-file psql install (sql/postgres-tables.sql)
        """;

    private static readonly string[] Flags = ["--dry-run", "--script"];

    public static bool IsCommand(string[] args) => args.Length > 0 && args[0] == "migrate";

    public static bool IsScriptRequest(string[] args) => IsCommand(args) && args.Contains("--script");

    public static int WriteScript(TextWriter output)
    {
        output.Write(InstallScript.Generate(MigrationSource.BuiltIn()));
        return 0;
    }

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter error)
    {
        if (UnknownArgument(args) is not null)
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }
        DatabaseOptions database;
        SchemaMigrator migrator;
        try
        {
            database = services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            migrator = SchemaMigrator.For(database, services.GetRequiredService<IOptions<SchemaOptions>>().Value);
        }
        catch (OptionsValidationException ex)
        {
            await error.WriteLineAsync($"configuration error: {string.Join("; ", ex.Failures)}");
            return 2;
        }
        var target = $"database {database.Database} on {database.Host}:{(string.IsNullOrWhiteSpace(database.Port) ? "5432" : database.Port)}";
        try
        {
            return args.Contains("--dry-run")
                ? await DryRunAsync(migrator, target, output)
                : await MigrateAsync(migrator, target, output, error);
        }
        catch (NpgsqlException ex)
        {
            await error.WriteLineAsync($"database error: {target}: {ex.Message}");
            return 1;
        }
    }

    private static async Task<int> DryRunAsync(SchemaMigrator migrator, string target, TextWriter output)
    {
        var state = await migrator.ReadStateAsync(CancellationToken.None);
        if (!state.IsBehind)
        {
            await output.WriteLineAsync($"Nothing to apply: the schema of {target} is at {state.Version}.");
            return 0;
        }
        await output.WriteLineAsync($"{Count(state.Pending.Count)} pending for {target} (schema at {state.Version ?? "no migration yet"}):");
        foreach (var migration in state.Pending)
            await output.WriteLineAsync($"  {migration.Name}{(migration.BackwardCompatible ? "  (backward compatible)" : "")}");
        await output.WriteLineAsync("Nothing was applied (--dry-run).");
        return 0;
    }

    private static async Task<int> MigrateAsync(SchemaMigrator migrator, string target, TextWriter output, TextWriter error)
    {
        await output.WriteLineAsync($"Migrating {target}.");
        var result = await migrator.MigrateAsync(
            (migration, took) => output.WriteLine($"  applied {migration.Name} ({took.TotalSeconds:0.0} s)"), CancellationToken.None);
        if (!result.Succeeded)
        {
            await error.WriteLineAsync($"Migration {result.FailedMigration} failed and was rolled back: {result.Error}");
            await error.WriteLineAsync($"The database is as it was before {result.FailedMigration}" +
                (result.Applied.Count > 0 ? $"; the {Count(result.Applied.Count)} applied before it stay applied." : "."));
            return 1;
        }
        var state = await migrator.ReadStateAsync(CancellationToken.None);
        await output.WriteLineAsync(result.Applied.Count == 0
            ? $"Nothing to apply: the schema is at {state.Version}."
            : $"Done: {Count(result.Applied.Count)} applied; the schema is at {state.Version}.");
        if (state.IsAhead)
            await output.WriteLineAsync($"The database also has {Count(state.Newer.Count)} that this version does not know, " +
                $"applied by a newer version: {string.Join(", ", state.Newer.Select(m => m.Name))}.");
        return 0;
    }

    /// <summary>
    /// Configuration overrides may follow the verb (--postgresql:host=h, --urls x); any other word is
    /// refused, so that a mistyped --dry-run never applies anything.
    /// </summary>
    private static string? UnknownArgument(string[] args)
    {
        for (var i = 1; i < args.Length; i++)
        {
            var argument = args[i];
            if (Flags.Contains(argument) || argument.Contains('=')) continue;
            if (argument.StartsWith('-') && i + 1 < args.Length && !args[i + 1].StartsWith('-'))
            {
                i++;
                continue;
            }
            return argument;
        }
        return null;
    }

    private static string Count(int n) => n == 1 ? "1 migration" : $"{n} migrations";
}
