using System.Text;

namespace JobTemplateService.Schema;

/// <summary>
/// sql/postgres-tables.sql, generated from the migrations: the one-file install for psql users.
/// It does what `migrate` does, with psql's \if: takes the same advisory lock, then applies each
/// migration the journal lacks in its own transaction together with its journal row. So it may
/// be applied again, and `migrate` and the script may follow each other in any order.
/// </summary>
internal static class InstallScript
{
    public const string RegenerateCommand = "dotnet run --project src/JobTemplateService -- migrate --script > sql/postgres-tables.sql";

    public static string Generate(IReadOnlyList<Migration> migrations)
    {
        var script = new StringBuilder();
        script.Append($"""
            -- JobTemplateService schema: the one-file install for psql users.
            --
            -- GENERATED from sql/migrations/ by `JobTemplateService migrate --script`; do not edit. Regenerate with
            --   {RegenerateCommand}
            --
            -- Apply it to an empty database, to one the original Python service created, to one made by an
            -- earlier version of this file, or twice in a row:
            --   psql "host=… dbname=… user=…" -v ON_ERROR_STOP=1 -f sql/postgres-tables.sql
            -- It applies the migrations the database lacks, each in its own transaction, and records them in
            -- streamsets.schema_migration as `JobTemplateService migrate` does; either may follow the other.

            \set ON_ERROR_STOP on
            SET client_min_messages = warning;
            SELECT 1 AS migration_lock FROM pg_advisory_lock({SchemaMigrator.LockKey}) \gset
            {MigrationJournal.CreateSql}

            """);
        foreach (var migration in migrations)
        {
            var name = migration.Name.Replace("'", "''");
            script.Append('\n').Append($"""
                -- =============================================================================================
                -- Migration {migration.Name}
                -- =============================================================================================
                SELECT NOT EXISTS (SELECT 1 FROM streamsets.schema_migration WHERE name = '{name}') AS pending \gset
                \if :pending
                BEGIN;

                {migration.Sql.Trim()}

                INSERT INTO streamsets.schema_migration (name, backward_compatible) VALUES ('{name}', {(migration.BackwardCompatible ? "true" : "false")});
                COMMIT;
                \endif

                """).Append('\n');
        }
        script.Append($"SELECT 1 AS migration_unlock FROM pg_advisory_unlock({SchemaMigrator.LockKey}) \\gset\n");
        return script.ToString();
    }
}
