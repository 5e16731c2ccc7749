using Dapper;
using JobTemplateService.Common;
using JobTemplateService.Platform;
using Npgsql;

namespace JobTemplateService.Instances;

/// <summary>Terminal writes: the metrics row and the terminal state commit together, or not at all.</summary>
internal sealed class CompletionRepository(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Writes the terminal state and the metrics row in one transaction, fenced on the lease.
    /// The unique index on job_run_metrics.instance_id makes a second row impossible. Returns
    /// false when the lease was lost (another replica owns the instance now).
    /// </summary>
    public async Task<bool> CompleteAsync(Guid owner, ClaimedInstance instance, Completion completion, CancellationToken ct)
    {
        const string sql = $"""
            SELECT 1 FROM streamsets.run WHERE run_id = @RunId FOR UPDATE;
            WITH done AS (
                UPDATE streamsets.run_instance i
                   SET state = @FinalState, error = @Error, started_at = coalesce(i.started_at, @StartTime),
                       finished_at = coalesce(@FinishTime, now()), name = coalesce(@Name, i.name),
                       cleanup_pending = @Cleanup,
                       lease_owner = CASE WHEN @Cleanup THEN i.lease_owner END,
                       lease_expires_at = CASE WHEN @Cleanup THEN i.lease_expires_at END,
                       next_check_at = now() + @RetryDelay, updated_at = now()
                 WHERE i.instance_id = @InstanceId AND i.lease_owner = @Owner AND i.lease_generation = @Generation
                   AND i.state = @ExpectedState
                RETURNING i.instance_id, i.run_id, i.platform_job_id
            ), metrics AS (
            INSERT INTO streamsets.job_run_metrics (
                instance_id, run_id, user_id, user_run_id, job_template_id, platform_job_id, engine_id, pipeline_id,
                successful_run, final_state, run_count, input_record_count, output_record_count, error_record_count,
                error_message, start_time, finish_time)
            SELECT d.instance_id, d.run_id, r.user_id, r.user_run_id, r.job_template_id, coalesce(d.platform_job_id, ''),
                   @EngineId, @PipelineId, @FinalState IN {InstanceStates.HealthySql}, @FinalState, @RunCount, @InputRecords,
                   @OutputRecords, @ErrorRecords, @ErrorMessage, @StartTime, @FinishTime
              FROM done d JOIN streamsets.run r ON r.run_id = d.run_id
            ON CONFLICT (instance_id) WHERE instance_id IS NOT NULL DO NOTHING
            )
            SELECT instance_id FROM done;
            SELECT streamsets.refresh_run_state(@RunId);
            """;
        InstanceStates.EnsureMove(instance.State, completion.FinalState);
        var result = completion.Result;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var results = await connection.QueryMultipleAsync(new CommandDefinition(sql, new
        {
            instance.RunId, instance.InstanceId, Owner = owner, Generation = instance.LeaseGeneration,
            ExpectedState = instance.State, completion.FinalState, completion.Error, completion.Cleanup,
            completion.RetryDelay, result?.StartTime, result?.FinishTime, result?.Name, result?.EngineId, result?.PipelineId,
            result?.RunCount, result?.InputRecords, result?.OutputRecords, result?.ErrorRecords,
            ErrorMessage = completion.MetricsError,
        }, cancellationToken: ct));
        await results.ReadAsync<int>();
        var written = (await results.ReadAsync<Guid>()).Any();
        await results.ConsumeAsync();
        return written;
    }

    /// <summary>The platform job was deleted after its metrics were read: hand the instance back for good.</summary>
    public async Task ClearCleanupAsync(Guid owner, InstanceLease lease, CancellationToken ct)
    {
        const string sql = """
            UPDATE streamsets.run_instance
               SET cleanup_pending = false, lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
             WHERE instance_id = @InstanceId AND lease_owner = @owner AND lease_generation = @Generation AND cleanup_pending
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(sql, new { owner, lease.InstanceId, lease.Generation }, cancellationToken: ct));
    }

    /// <summary>Records that a stop (cancel, stall) or force-stop (cancel, stall or timeout) was sent, and hands the instance back.</summary>
    public async Task RecordStopAsync(Guid owner, InstanceLease lease, string reason, bool forced, TimeSpan nextCheck, CancellationToken ct)
    {
        const string sql = """
            UPDATE streamsets.run_instance
               SET stop_reason = coalesce(stop_reason, @reason), stop_requested_at = coalesce(stop_requested_at, now()),
                   force_stopped_at = CASE WHEN @forced THEN coalesce(force_stopped_at, now()) ELSE force_stopped_at END,
                   lease_owner = NULL, lease_expires_at = NULL, next_check_at = now() + @nextCheck, updated_at = now()
             WHERE instance_id = @InstanceId AND lease_owner = @owner AND lease_generation = @Generation AND state = 'RUNNING'
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(sql,
            new { owner, lease.InstanceId, lease.Generation, reason, forced, nextCheck }, cancellationToken: ct));
    }
}

/// <summary>A terminal state, the instance's error, and the metrics row's error_message (the criteria broken, the stall, or the platform's message).</summary>
internal sealed record Completion(string FinalState, string? Error, string? MetricsError, JobResult? Result, bool Cleanup, TimeSpan RetryDelay);
