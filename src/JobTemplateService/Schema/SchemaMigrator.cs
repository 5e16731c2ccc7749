using System.Diagnostics;
using Dapper;
using DbUp;
using DbUp.Engine;
using DbUp.Postgresql;
using JobTemplateService.Configuration;
using Npgsql;

namespace JobTemplateService.Schema;

/// <summary>
/// Applies the migrations with DbUp: pending ones in name order, each in its own transaction
/// together with its journal row, while holding a PostgreSQL advisory lock so that replicas
/// starting together migrate once (the others wait, then find nothing to do).
/// </summary>
internal sealed class SchemaMigrator(string connectionString, IReadOnlyList<Migration> migrations)
{
    /// <summary>The advisory lock key ("JTSMIGR"); the psql install script takes the same lock.</summary>
    public const long LockKey = 0x4A54534D494752;

    public IReadOnlyList<Migration> Migrations => migrations;

    public static SchemaMigrator For(DatabaseOptions database, SchemaOptions schema) =>
        new(ConnectionString(database.ToConnectionString()), MigrationSource.For(schema));

    /// <summary>
    /// No pooling, so closing the lock connection always ends its session and frees the lock; no
    /// command timeout, since a migration rewriting a large table, or waiting for one, may take long.
    /// </summary>
    public static string ConnectionString(string serviceConnectionString) =>
        new NpgsqlConnectionStringBuilder(serviceConnectionString)
        {
            Pooling = false, CommandTimeout = 0, MaxAutoPrepare = 0, ApplicationName = "JobTemplateService migrate",
        }.ConnectionString;

    public async Task<SchemaState> ReadStateAsync(CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        var journalExists = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT to_regclass('streamsets.schema_migration') IS NOT NULL", cancellationToken: ct));
        var applied = journalExists
            ? (await connection.QueryAsync<(string Name, bool BackwardCompatible)>(new CommandDefinition(MigrationJournal.ReadSql, cancellationToken: ct)))
                .Select(row => new AppliedMigration(row.Name, row.BackwardCompatible)).ToList()
            : [];
        return SchemaState.Of(migrations, applied);
    }

    /// <summary>Applies every pending migration; <paramref name="applied"/> hears of each one as it commits.</summary>
    public async Task<MigrationResult> MigrateAsync(Action<Migration, TimeSpan> applied, CancellationToken ct)
    {
        await using var lockConnection = new NpgsqlConnection(connectionString);
        await lockConnection.OpenAsync(ct);
        await lockConnection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@LockKey)", new { LockKey }, cancellationToken: ct));

        var engine = Engine();
        var clock = Stopwatch.StartNew();
        var done = new List<Migration>();
        engine.ScriptExecuted += (_, e) =>
        {
            var migration = migrations.First(m => m.Name == ((ScriptExecutedEventArgs)e).Script.Name);
            done.Add(migration);
            applied(migration, clock.Elapsed);
            clock.Restart();
        };
        var result = engine.PerformUpgrade();
        return result.Successful
            ? new MigrationResult(done, null, null)
            : new MigrationResult(done, result.ErrorScript?.Name ?? "(before the first migration)", Describe(result.Error));
    }

    private UpgradeEngine Engine() =>
        DeployChanges.To.PostgresqlDatabase(new PostgresqlConnectionManager(connectionString))
            .WithScripts(migrations.Select(m => new SqlScript(m.Name, m.Sql)))
            .JournalTo((connectionManager, log) => new MigrationJournal(connectionManager, log))
            .WithTransactionPerScript()
            .WithVariablesDisabled() // plpgsql bodies are $$-quoted; nothing in a script is a DbUp variable
            .LogToNowhere()
            .Build();

    private static string Describe(Exception error) => error switch
    {
        PostgresException pg => $"{pg.MessageText} (SQLSTATE {pg.SqlState})",
        _ => error.Message,
    };
}

/// <summary>What a migration pass did: the migrations applied, and the one that failed (rolled back) with its error.</summary>
internal sealed record MigrationResult(IReadOnlyList<Migration> Applied, string? FailedMigration, string? Error)
{
    public bool Succeeded => FailedMigration is null;
}
