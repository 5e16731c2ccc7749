using Dapper;
using Npgsql;

namespace JobTemplateService.Instances;

/// <summary>
/// Per-template concurrency limits: promotes QUEUED instances to PENDING, oldest first, as far
/// as their template's limit allows. The template row is locked while counting, so replicas
/// promoting (or launching) at the same moment never exceed the limit together.
/// </summary>
internal sealed class QueueDispatcher(NpgsqlDataSource dataSource, ILogger<QueueDispatcher> logger)
{
    public async Task<int> PromoteAsync(CancellationToken ct)
    {
        const string templatesSql = "SELECT DISTINCT job_template_id FROM streamsets.run_instance WHERE state = 'QUEUED'";
        const string promoteSql = $"""
            SELECT max_concurrent_instances FROM streamsets.job_template WHERE job_template_id = @templateId FOR UPDATE;
            WITH template AS (
                SELECT t.max_concurrent_instances AS max_live,
                       (SELECT count(*) FROM streamsets.run_instance_now i
                         WHERE i.job_template_id = t.job_template_id AND i.state IN {InstanceStates.ActiveSql}) AS live
                  FROM streamsets.job_template t WHERE t.job_template_id = @templateId
            ), next AS (
                SELECT i.instance_id
                  FROM streamsets.run_instance i
                 WHERE i.job_template_id = @templateId AND i.state = 'QUEUED'
                 ORDER BY i.instance_id
                 LIMIT (SELECT CASE WHEN max_live IS NULL THEN NULL ELSE greatest(max_live - live, 0) END FROM template)
            )
            UPDATE streamsets.run_instance i
               SET state = 'PENDING', next_check_at = now(), deadline_at = now() + (i.deadline_at - i.created_at), updated_at = now()
              FROM next WHERE i.instance_id = next.instance_id
            RETURNING i.instance_id;
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var templates = await connection.QueryAsync<int>(new CommandDefinition(templatesSql, cancellationToken: ct));
        var promoted = 0;
        foreach (var templateId in templates)
        {
            await using var results = await connection.QueryMultipleAsync(new CommandDefinition(promoteSql, new { templateId }, cancellationToken: ct));
            await results.ReadAsync<int?>();
            var count = (await results.ReadAsync<Guid>()).Count();
            if (count > 0) logger.LogInformation("Promoted {Count} queued instance(s) of job template {JobTemplateId}", count, templateId);
            promoted += count;
        }
        return promoted;
    }
}
