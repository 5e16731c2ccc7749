using System.Text.Json;
using JobTemplateService.Templates;

namespace JobTemplateService.Instances;

/// <summary>An instance this replica holds a lease on, with what checking it needs from its run and template.</summary>
internal sealed record ClaimedInstance
{
    public Guid InstanceId { get; init; }
    public Guid RunId { get; init; }
    public long LeaseGeneration { get; init; }
    public string State { get; init; } = "";
    public string Platform { get; init; } = "";
    public string? PlatformJobId { get; init; }
    public string? Name { get; init; }
    public int Ordinal { get; init; }
    public string Parameters { get; init; } = "{}";
    public string[] CallerSecretKeys { get; init; } = [];
    public int LaunchAttempts { get; init; }
    public DateTime? LaunchSentAt { get; init; }
    public DateTime? ReconcileMissedAt { get; init; }
    public string? StopReason { get; init; }
    public DateTime? StopRequestedAt { get; init; }
    public DateTime? ForceStoppedAt { get; init; }
    public bool CleanupPending { get; init; }
    public bool DeadlinePassed { get; init; }
    public TimeSpan Lag { get; init; }
    public DateTime Now { get; init; }
    public string UserRunId { get; init; } = "";
    public int JobTemplateId { get; init; }
    public string PlatformTemplateId { get; init; } = "";
    public bool DeleteAfterCompletion { get; init; }
    public TimeSpan? MaxWait { get; init; }
    public string PatternName { get; init; } = "";
    public string Kind { get; init; } = TemplateKinds.Batch;
    public long? MinInputRecords { get; init; }
    public long? MinOutputRecords { get; init; }
    public long? MaxErrorRecords { get; init; }
    public double? MaxErrorRatio { get; init; }
    public TimeSpan? StallAfter { get; init; }

    /// <summary>The counts recorded while it ran (the latest ones), for what the final counts add to them.</summary>
    public long? LiveInputRecords { get; init; }
    public long? LiveOutputRecords { get; init; }
    public long? LiveErrorRecords { get; init; }

    public bool Streaming => Kind == TemplateKinds.Streaming;

    public SuccessCriteria Criteria => new(MinInputRecords, MinOutputRecords, MaxErrorRecords, MaxErrorRatio);

    public InstanceLease Lease => new(InstanceId, LeaseGeneration);

    public IReadOnlyDictionary<string, string> StoredParameters() =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(Parameters) ?? [];

    public IDisposable? LogScope(ILogger logger) => logger.BeginScope(new Dictionary<string, object>
    {
        ["RunId"] = RunId, ["UserRunId"] = UserRunId, ["InstanceId"] = InstanceId,
    });
}
