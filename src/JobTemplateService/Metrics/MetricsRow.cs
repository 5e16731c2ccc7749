namespace JobTemplateService.Metrics;

/// <summary>One row of streamsets.job_run_metrics: one finished instance.</summary>
public sealed record MetricsRow
{
    public long MetricsId { get; init; }
    public Guid? RunId { get; init; }
    public Guid? InstanceId { get; init; }
    public string UserId { get; init; } = "";
    public string UserRunId { get; init; } = "";
    public int JobTemplateId { get; init; }
    public string PlatformJobId { get; init; } = "";
    public string? EngineId { get; init; }
    public string? PipelineId { get; init; }
    public bool SuccessfulRun { get; init; }
    public string FinalState { get; init; } = "";
    public int? RunCount { get; init; }
    public long? InputRecordCount { get; init; }
    public long? OutputRecordCount { get; init; }
    public long? ErrorRecordCount { get; init; }
    public string? ErrorMessage { get; init; }
    public DateTime? StartTime { get; init; }
    public DateTime? FinishTime { get; init; }
    public DateTime RecordedAt { get; init; }
}

/// <summary>A page of metrics rows, newest first.</summary>
public sealed record MetricsPage(IReadOnlyList<MetricsRow> Metrics, string? NextCursor, string? Next);
