using Dapper;
using JobTemplateService.Common;
using Npgsql;

namespace JobTemplateService.Instances;

/// <summary>
/// A run's cancel request, in one statement: instances never sent to a platform end CANCELED at
/// once; the others are marked for the monitor to stop. A finished run is left as it is.
/// </summary>
internal sealed class CancelRepository(NpgsqlDataSource dataSource)
{
    /// <summary>The run's state before the request, or null when there is no such run.</summary>
    public async Task<string?> RequestAsync(Guid runId, CancellationToken ct)
    {
        const string sql = $"""
            SELECT state FROM streamsets.run WHERE run_id = @runId FOR UPDATE;
            UPDATE streamsets.run SET cancel_requested_at = coalesce(cancel_requested_at, now()), updated_at = now()
             WHERE run_id = @runId AND state NOT IN {RunStates.TerminalSql};
            UPDATE streamsets.run_instance
               SET state = 'CANCELED', error = 'Canceled before it started.', finished_at = now(),
                   lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
             WHERE run_id = @runId AND state IN {InstanceStates.UnsentSql}
               AND EXISTS (SELECT 1 FROM streamsets.run WHERE run_id = @runId AND cancel_requested_at IS NOT NULL);
            UPDATE streamsets.run_instance
               SET stop_reason = 'CANCEL', next_check_at = now(), updated_at = now()
             WHERE run_id = @runId AND state IN {InstanceStates.SentSql} AND stop_reason IS NULL
               AND EXISTS (SELECT 1 FROM streamsets.run WHERE run_id = @runId AND cancel_requested_at IS NOT NULL);
            SELECT streamsets.refresh_run_state(@runId);
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var results = await connection.QueryMultipleAsync(new CommandDefinition(sql, new { runId }, cancellationToken: ct));
        var before = await results.ReadSingleOrDefaultAsync<string>();
        await results.ConsumeAsync();
        return before;
    }
}
