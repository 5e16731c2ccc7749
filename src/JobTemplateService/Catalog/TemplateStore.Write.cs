using System.Text.Json;
using Dapper;
using JobTemplateService.Common;
using JobTemplateService.Templates;
using Npgsql;

namespace JobTemplateService.Catalog;

internal sealed partial class TemplateStore
{
    /// <summary>
    /// Creates or replaces the rule, the template row and the relationship in one transaction.
    /// Sending what is stored changes nothing and audits nothing (PUT is idempotent).
    /// </summary>
    public async Task<TemplatePut> PutAsync(string patternName, TemplateDefinition definition, string? changedBy, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        // Serializes writers of one name, including two that both create it.
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(hashtext('template:' || @patternName));\n" +
            TemplateRepository.LockCatalogSql, new { patternName }, transaction, cancellationToken: ct));
        var current = await FindAsync(connection, transaction, patternName, ct, forUpdate: true);
        var before = current?.ToDocument().Template;
        var wanted = TemplateSecrets.Unmasked(definition, before, out var unknownSecrets);
        if (unknownSecrets.Count > 0)
            return new TemplatePut.Invalid(unknownSecrets.ToDictionary(k => k, _ => new[] { "The value is the mask, and no value is stored to keep." }));
        if (before is not null && before.Canonical() == wanted.Canonical())
            return new TemplatePut.Saved(new TemplateDocument(patternName, before), Created: false, Changed: false);

        var other = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition("""
            SELECT pattern_name FROM streamsets.ingestion_pattern
             WHERE source = @SourceType AND destination = @TargetType AND pattern_name <> @patternName
            """, new { wanted.SourceType, wanted.TargetType, patternName }, transaction, cancellationToken: ct));
        if (other is not null)
            return new TemplatePut.Invalid(new() { ["source-type"] = [$"The rule '{other}' already maps '{wanted.SourceType}' to '{wanted.TargetType}'."] });

        var patternId = await connection.ExecuteScalarAsync<int>(new CommandDefinition("""
            INSERT INTO streamsets.ingestion_pattern (pattern_name, source, destination) VALUES (@patternName, @SourceType, @TargetType)
            ON CONFLICT (pattern_name) DO UPDATE SET source = excluded.source, destination = excluded.destination
            RETURNING ingestion_pattern_id
            """, new { patternName, wanted.SourceType, wanted.TargetType }, transaction, cancellationToken: ct));
        var shared = current is not null && await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT count(*) > 1 FROM streamsets.ingestion_pattern_job_template_relationship WHERE job_template_id = @JobTemplateId",
            new { current.JobTemplateId }, transaction, cancellationToken: ct));
        var row = TemplateRow.From(wanted);
        if (current is not null && !shared)
        {
            await connection.ExecuteAsync(new CommandDefinition(TemplateRow.Update, row with { JobTemplateId = current.JobTemplateId },
                transaction, cancellationToken: ct));
        }
        else
        {
            // A template row another rule also uses (the original allowed that) is left to it; this rule gets its own.
            var templateId = await connection.ExecuteScalarAsync<int>(new CommandDefinition(TemplateRow.Insert, row, transaction, cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition("""
                DELETE FROM streamsets.ingestion_pattern_job_template_relationship WHERE ingestion_pattern_id = @patternId;
                INSERT INTO streamsets.ingestion_pattern_job_template_relationship (ingestion_pattern_id, job_template_id, schedule)
                VALUES (@patternId, @templateId, '{}');
                """, new { patternId, templateId }, transaction, cancellationToken: ct));
        }
        await AuditAsync(connection, transaction, patternName, before is null ? "CREATE" : "UPDATE", changedBy, before, wanted, ct);
        await transaction.CommitAsync(ct);
        return new TemplatePut.Saved(new TemplateDocument(patternName, wanted), Created: before is null, Changed: true);
    }

    /// <summary>Deletes the rule and its relationship, and the template row unless runs still refer to it.</summary>
    public async Task<(TemplateDeletion Outcome, int LiveInstances)> DeleteAsync(string patternName, string? changedBy, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(hashtext('template:' || @patternName));\n" +
            TemplateRepository.LockCatalogSql, new { patternName }, transaction, cancellationToken: ct));
        var current = await FindAsync(connection, transaction, patternName, ct, forUpdate: true);
        if (current is null) return (TemplateDeletion.NotFound, 0);
        var live = await connection.ExecuteScalarAsync<int>(new CommandDefinition("""
            SELECT count(*) FROM streamsets.run_instance_now
             WHERE job_template_id = @JobTemplateId AND state IN ('QUEUED', 'PENDING', 'STARTING', 'RUNNING')
            """, new { current.JobTemplateId }, transaction, cancellationToken: ct));
        if (live > 0) return (TemplateDeletion.LiveInstances, live);
        await connection.ExecuteAsync(new CommandDefinition("""
            DELETE FROM streamsets.ingestion_pattern_job_template_relationship WHERE ingestion_pattern_id = @IngestionPatternId;
            DELETE FROM streamsets.ingestion_pattern WHERE ingestion_pattern_id = @IngestionPatternId;
            DELETE FROM streamsets.job_template t WHERE t.job_template_id = @JobTemplateId
               AND NOT EXISTS (SELECT 1 FROM streamsets.run r WHERE r.job_template_id = t.job_template_id)
               AND NOT EXISTS (SELECT 1 FROM streamsets.ingestion_pattern_job_template_relationship x WHERE x.job_template_id = t.job_template_id);
            """, new { current.IngestionPatternId, current.JobTemplateId }, transaction, cancellationToken: ct));
        await AuditAsync(connection, transaction, patternName, "DELETE", changedBy, current.ToDocument().Template, null, ct);
        await transaction.CommitAsync(ct);
        return (TemplateDeletion.Deleted, 0);
    }

    private static Task AuditAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string patternName, string action,
        string? changedBy, TemplateDefinition? before, TemplateDefinition? after, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO streamsets.template_change (pattern_name, action, changed_by, before, after)
            VALUES (@patternName, @action, @changedBy, @before::jsonb, @after::jsonb)
            """, new
        {
            patternName, action, changedBy,
            before = before is null ? null : JsonSerializer.Serialize(TemplateSecrets.Masked(before), Json.Options),
            after = after is null ? null : JsonSerializer.Serialize(TemplateSecrets.Masked(after), Json.Options),
        }, transaction, cancellationToken: ct));
}

internal abstract record TemplatePut
{
    public sealed record Saved(TemplateDocument Document, bool Created, bool Changed) : TemplatePut;
    public sealed record Invalid(Dictionary<string, string[]> Errors) : TemplatePut;
}

internal enum TemplateDeletion { Deleted, NotFound, LiveInstances }
