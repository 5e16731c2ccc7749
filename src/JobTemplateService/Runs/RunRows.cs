namespace JobTemplateService.Runs;

internal sealed record RunRow
{
    public Guid RunId { get; init; }
    public string UserId { get; init; } = "";
    public string UserRunId { get; init; } = "";
    public string SourceType { get; init; } = "";
    public string TargetType { get; init; } = "";
    public int JobTemplateId { get; init; }
    public string PatternName { get; init; } = "";
    public string Platform { get; init; } = "";
    public string PlatformTemplateId { get; init; } = "";
    public string State { get; init; } = "";
    public string? RequestedBy { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime? FinishedAt { get; init; }
    public string? CallbackUrl { get; init; }
    public string? CallbackState { get; init; }
    public int? CallbackAttempts { get; init; }
    public int? CallbackLastStatus { get; init; }
    public string? CallbackLastError { get; init; }
    public DateTime? CallbackDeliveredAt { get; init; }
    public Guid? RelaunchOf { get; init; }
}

/// <summary>An instance with its metrics row, when it has one.</summary>
internal sealed record InstanceRow
{
    public Guid InstanceId { get; init; }
    public Guid RunId { get; init; }
    public int Ordinal { get; init; }
    public string State { get; init; } = "";
    public string Parameters { get; init; } = "{}";
    public string? PlatformJobId { get; init; }
    public string? Name { get; init; }
    public string? Error { get; init; }
    public DateTime? StartedAt { get; init; }
    public DateTime? FinishedAt { get; init; }
    public long? MetricsId { get; init; }
    public bool? SuccessfulRun { get; init; }
    public long? InputRecordCount { get; init; }
    public long? OutputRecordCount { get; init; }
    public long? ErrorRecordCount { get; init; }
    public string? EngineId { get; init; }
    public string? PipelineId { get; init; }
    public int? RunCount { get; init; }
    public DateTime? StartTime { get; init; }
    public DateTime? FinishTime { get; init; }
    public string? ErrorMessage { get; init; }
    public long? LiveInputRecords { get; init; }
    public long? LiveOutputRecords { get; init; }
    public long? LiveErrorRecords { get; init; }
    public DateTime? LiveReportedAt { get; init; }
    public DateTime? StalledSince { get; init; }
}
