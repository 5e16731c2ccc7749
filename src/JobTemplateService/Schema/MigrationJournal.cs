using System.Data;
using DbUp.Engine;
using DbUp.Engine.Output;
using DbUp.Engine.Transactions;
using DbUp.Postgresql;
using DbUp.Support;

namespace JobTemplateService.Schema;

/// <summary>
/// DbUp's journal as streamsets.schema_migration: one row per applied migration, written in the
/// migration's own transaction, with whether it is backward compatible. An older build reads that
/// flag for migrations it has never seen, so the flag must live in the database.
/// </summary>
internal sealed class MigrationJournal(Func<IConnectionManager> connectionManager, Func<IUpgradeLog> log)
    : TableJournal(connectionManager, log, new PostgresqlObjectParser(), Schema, Table)
{
    public const string Schema = "streamsets";
    public const string Table = "schema_migration";

    /// <summary>Creates the schema and the journal; the psql install script runs the same statements.</summary>
    public const string CreateSql = """
        CREATE SCHEMA IF NOT EXISTS streamsets;
        CREATE TABLE IF NOT EXISTS streamsets.schema_migration (
            name                varchar     PRIMARY KEY,
            applied_at          timestamptz NOT NULL DEFAULT now(),
            backward_compatible boolean     NOT NULL DEFAULT false
        );
        """;

    public const string ReadSql = "SELECT name, backward_compatible FROM streamsets.schema_migration ORDER BY name";

    protected override string CreateSchemaTableSql(string quotedPrimaryKeyName) => CreateSql;

    protected override string GetJournalEntriesSql() => "SELECT name FROM streamsets.schema_migration ORDER BY name";

    protected override string GetInsertJournalEntrySql(string scriptName, string applied) =>
        $"INSERT INTO streamsets.schema_migration (name, backward_compatible) VALUES ({scriptName}, @backwardCompatible)";

    protected override IDbCommand GetInsertScriptCommand(Func<IDbCommand> dbCommandFactory, SqlScript script)
    {
        var command = dbCommandFactory();
        Add(command, "scriptName", script.Name);
        Add(command, "backwardCompatible", Migration.IsMarkedBackwardCompatible(script.Contents));
        command.CommandText = GetInsertJournalEntrySql("@scriptName", "now()");
        return command;
    }

    private static void Add(IDbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
