using System.Text.Json;

namespace ChaosDriver;

/// <summary>The end state, read once after the drain: the service's tables and the fake platform's own record.</summary>
internal sealed record Snapshot(
    List<RunRow> Runs, List<InstanceRow> Instances, List<MetricsRow> Metrics, List<FakeJobView> Jobs, List<FakeCreate> Creates)
{
    public static async Task<Snapshot> ReadAsync(Database db, FakeHub fake) => new(
        await db.QueryAsync("SELECT run_id, user_run_id, state FROM streamsets.run",
            r => new RunRow(r.GetGuid(0), r.GetString(1), r.GetString(2))),
        await db.QueryAsync("""
            SELECT instance_id, run_id, ordinal, state, platform_job_id, parameters::text, cleanup_pending, lease_owner IS NOT NULL
              FROM streamsets.run_instance
            """, r => new InstanceRow(r.GetGuid(0), r.GetGuid(1), r.GetInt32(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4),
                JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(5))!, r.GetBoolean(6), r.GetBoolean(7))),
        await db.QueryAsync("""
            SELECT instance_id, platform_job_id, final_state, input_record_count, error_record_count FROM streamsets.job_run_metrics
            """, r => new MetricsRow(r.IsDBNull(0) ? null : r.GetGuid(0), r.GetString(1), r.GetString(2),
                r.IsDBNull(3) ? null : r.GetInt64(3), r.IsDBNull(4) ? null : r.GetInt64(4))),
        await fake.JobsAsync(),
        await fake.CreatesAsync());

    public static string RunTag(Guid runId) => $"jts-run-{runId:N}";

    public static readonly string[] TerminalRunStates = ["SUCCEEDED", "FAILED", "CANCELED", "TIMED_OUT"];
    public static readonly string[] FinishedInstanceStates = ["SUCCEEDED", "FAILED", "CANCELED", "TIMED_OUT"];
    public static readonly string[] TerminalInstanceStates = [.. FinishedInstanceStates, "START_FAILED"];
}

internal sealed record RunRow(Guid RunId, string UserRunId, string State);

internal sealed record InstanceRow(Guid InstanceId, Guid RunId, int Ordinal, string State, string? PlatformJobId,
    Dictionary<string, string> Parameters, bool CleanupPending, bool Leased);

internal sealed record MetricsRow(Guid? InstanceId, string PlatformJobId, string FinalState, long? Input, long? Errors);
