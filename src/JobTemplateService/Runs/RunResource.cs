using System.Text.Json;
using JobTemplateService.Instances;

namespace JobTemplateService.Runs;

/// <summary>A run: what was asked, which template answered, and each instance with its metrics.</summary>
public sealed record RunResource(
    Guid RunId,
    string UserId,
    string UserRunId,
    string SourceType,
    string TargetType,
    string State,
    RunTemplate Template,
    DateTime CreatedAt,
    DateTime? FinishedAt,
    string? RequestedBy,
    IReadOnlyList<InstanceResource> Instances,
    RunLinks Links,
    CallbackStatus? Callback = null)
{
    internal static RunResource From(RunRow run, IEnumerable<InstanceRow> instances) => From(run, instances.Select(InstanceResource.From));

    /// <summary>The run with these instances, in their order (index).</summary>
    internal static RunResource From(RunRow run, IEnumerable<InstanceResource> instances) => new(
        run.RunId, run.UserId, run.UserRunId, run.SourceType, run.TargetType, run.State,
        new RunTemplate(run.PatternName, run.JobTemplateId, run.Platform, run.PlatformTemplateId),
        run.CreatedAt, run.FinishedAt, run.RequestedBy,
        instances.OrderBy(i => i.Index).ToList(),
        RunLinks.For(run),
        run.CallbackUrl is null ? null : new CallbackStatus(run.CallbackUrl, run.CallbackState ?? "WAITING_FOR_RUN",
            run.CallbackAttempts ?? 0, run.CallbackLastStatus, run.CallbackLastError, run.CallbackDeliveredAt))
    {
        RelaunchOf = run.RelaunchOf,
    };

    /// <summary>The run this one relaunched (POST /v1/runs/{run-id}/relaunch), or null.</summary>
    public Guid? RelaunchOf { get; init; }
}

/// <summary>Delivery of the completion callback: WAITING_FOR_RUN, PENDING (retrying), DELIVERED or FAILED.</summary>
public sealed record CallbackStatus(string Url, string State, int Attempts, int? LastStatus, string? LastError, DateTime? DeliveredAt);

public sealed record RunTemplate(string PatternName, int JobTemplateId, string Platform, string PlatformTemplateId);

public sealed record RunLinks(string Self, string Outcome, string Metrics)
{
    internal static RunLinks For(RunRow run) =>
        new($"/v1/runs/{run.RunId}", $"/v1/runs/{run.RunId}/outcome", $"/v1/metrics?run-id={run.RunId}");
}

/// <summary>
/// One job instance. Parameters are the merged set with secret values masked. While it runs,
/// live-metrics are the latest counts its platform reported (and when, by the platform's clock),
/// and stalled-since is set while its counts have not moved for its template's stall-after.
/// </summary>
public sealed record InstanceResource(
    Guid InstanceId,
    int Index,
    string? PlatformJobId,
    string? Name,
    string State,
    DateTime? StartedAt,
    DateTime? FinishedAt,
    string? Error,
    IReadOnlyDictionary<string, string> Parameters,
    InstanceMetrics? Metrics,
    MetricSnapshot? LiveMetrics = null,
    DateTime? StalledSince = null)
{
    internal static InstanceResource From(InstanceRow row)
    {
        var running = row.State == InstanceStates.Running;
        return new(row.InstanceId, row.Ordinal, row.PlatformJobId, row.Name, row.State, row.StartedAt, row.FinishedAt, row.Error,
            JsonSerializer.Deserialize<Dictionary<string, string>>(row.Parameters) ?? [],
            row.MetricsId is null ? null : new InstanceMetrics(row.SuccessfulRun ?? false, row.InputRecordCount,
                row.OutputRecordCount, row.ErrorRecordCount, row.EngineId, row.PipelineId, row.RunCount,
                row.StartTime, row.FinishTime, row.ErrorMessage),
            running && row.LiveReportedAt is { } at
                ? new MetricSnapshot(at, row.LiveInputRecords ?? 0, row.LiveOutputRecords ?? 0, row.LiveErrorRecords ?? 0) : null,
            running ? row.StalledSince : null);
    }
}

/// <summary>Record counts of a running instance at a moment (the platform's clock).</summary>
public sealed record MetricSnapshot(DateTime At, long Input, long Output, long Errors);

public sealed record InstanceMetrics(
    bool SuccessfulRun,
    long? InputRecordCount,
    long? OutputRecordCount,
    long? ErrorRecordCount,
    string? EngineId,
    string? PipelineId,
    int? RunCount,
    DateTime? StartTime,
    DateTime? FinishTime,
    string? ErrorMessage);
