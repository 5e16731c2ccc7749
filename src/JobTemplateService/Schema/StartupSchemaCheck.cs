using System.Diagnostics;
using JobTemplateService.Configuration;
using Microsoft.Extensions.Options;
using Npgsql;

namespace JobTemplateService.Schema;

/// <summary>
/// Before the service (or a `keys` command) touches the database: applies pending migrations
/// when Database:MigrateOnStartup is true, then compares the database's schema with the one
/// this build carries. Behind, or ahead by a migration not marked backward compatible, stops the
/// process with exit code 2 and one line saying what to do.
/// </summary>
internal static class StartupSchemaCheck
{
    private static readonly TimeSpan DatabaseWait = TimeSpan.FromSeconds(30);

    /// <summary>Null when the process may go on; otherwise its exit code, after one line on <paramref name="error"/>.</summary>
    public static async Task<int?> RunAsync(IServiceProvider services, TextWriter error, CancellationToken ct)
    {
        var options = services.GetRequiredService<IOptions<SchemaOptions>>().Value;
        var migrator = SchemaMigrator.For(services.GetRequiredService<IOptions<DatabaseOptions>>().Value, options);
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("JobTemplateService.Schema");
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await CheckAsync(migrator, options, logger, error, ct);
            }
            // A database that is still starting (a restart, a compose file) is waited for, briefly.
            catch (NpgsqlException ex) when (ex.IsTransient && clock.Elapsed < DatabaseWait)
            {
                logger.LogWarning("Waiting for the database to check its schema: {Error}", ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), ct);
            }
            catch (NpgsqlException ex)
            {
                await error.WriteLineAsync($"database error: cannot check the database schema: {ex.Message}");
                return 1;
            }
        }
    }

    private static async Task<int?> CheckAsync(SchemaMigrator migrator, SchemaOptions options, ILogger logger, TextWriter error, CancellationToken ct)
    {
        if (options.MigrateOnStartup)
        {
            var result = await migrator.MigrateAsync(
                (migration, took) => logger.LogInformation("Applied migration {Migration} in {Seconds:0.0} s", migration.Name, took.TotalSeconds), ct);
            if (!result.Succeeded)
            {
                await error.WriteLineAsync($"schema error: migration {result.FailedMigration} failed and was rolled back: {result.Error}");
                return 1;
            }
        }
        var state = await migrator.ReadStateAsync(ct);
        if (state.IsBehind)
        {
            await error.WriteLineAsync($"schema error: the database schema is at {state.Version ?? "no migration yet"} but this version of the service " +
                $"needs {state.Expected} ({state.Pending.Count} pending: {Names(state.Pending.Select(m => m.Name))}); " +
                "run `dotnet JobTemplateService.dll migrate` first, or set Database:MigrateOnStartup=true");
            return 2;
        }
        if (state.IsAhead && !state.NewerAreBackwardCompatible)
        {
            var incompatible = state.Newer.Where(m => !m.BackwardCompatible).Select(m => m.Name).ToList();
            await error.WriteLineAsync($"schema error: the database schema is at {state.Version}, newer than this version of the service " +
                $"({state.Expected}), and {Names(incompatible)} {(incompatible.Count == 1 ? "is" : "are")} not marked backward compatible; " +
                "run the newer version of the service");
            return 2;
        }
        if (state.IsAhead)
            logger.LogWarning("The database schema is at {Version}, newer than this version of the service ({Expected}); its newer migrations " +
                "({Migrations}) are marked backward compatible, so it runs", state.Version, state.Expected, Names(state.Newer.Select(m => m.Name)));
        return null;
    }

    private static string Names(IEnumerable<string> names) => string.Join(", ", names);
}
