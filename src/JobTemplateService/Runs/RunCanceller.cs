using Dapper;
using JobTemplateService.Common;
using JobTemplateService.Instances;
using Npgsql;

namespace JobTemplateService.Runs;

/// <summary>
/// Cancels a run: instances that never reached the platform end CANCELED at once; the others are
/// marked for stopping and the monitor stops them (stop, then force-stop after the grace period),
/// records their metrics and ends them CANCELED.
/// </summary>
internal sealed class RunCanceller(NpgsqlDataSource dataSource, ILogger<RunCanceller> logger)
{
    public async Task<CancelOutcome> CancelAsync(Guid runId, CancellationToken ct)
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
        if (before is null) return CancelOutcome.NotFound;
        if (RunStates.IsTerminal(before)) return CancelOutcome.AlreadyFinished;
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["RunId"] = runId });
        logger.LogInformation("Cancel requested for run {RunId}", runId);
        return CancelOutcome.Canceling;
    }
}

internal enum CancelOutcome { NotFound, AlreadyFinished, Canceling }
