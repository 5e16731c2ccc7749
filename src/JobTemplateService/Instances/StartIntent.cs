using System.Text.Json;
using System.Text.Json.Serialization;
using JobTemplateService.Platform;

namespace JobTemplateService.Instances;

/// <summary>
/// The instances a launch is starting, kept in its run row (run.start_intent, leased to the
/// launching replica by start_owner and start_lease_expires_at) until the platform has answered;
/// then <see cref="InstanceRepository.WriteStartIntentAsync"/> writes them once, in the state the
/// answer gives them. Until then readers see them STARTING through streamsets.run_instance_now,
/// whose definition (migration 0010) reads this document's fields.
/// </summary>
internal sealed record StartIntent(
    [property: JsonPropertyName("max_wait_seconds")] double? MaxWaitSeconds,
    [property: JsonPropertyName("instances")] IReadOnlyList<StartIntentInstance> Instances)
{
    public string ToJson() => JsonSerializer.Serialize(this);
}

/// <summary>An instance being started: its masked parameters only, as run_instance stores them.</summary>
internal sealed record StartIntentInstance(
    [property: JsonPropertyName("instance_id")] Guid InstanceId,
    [property: JsonPropertyName("ordinal")] int Ordinal,
    [property: JsonPropertyName("parameters")] IReadOnlyDictionary<string, string> Parameters,
    [property: JsonPropertyName("caller_secret_keys")] string[] CallerSecretKeys);

/// <summary>
/// What a start intent's instances become: RUNNING (the platform started them), START_FAILED (it
/// refused), STARTING (no clear answer: monitors reconcile them by the run's tag) or PENDING
/// (nothing was sent and the launch could not be undone).
/// </summary>
internal sealed record IntentOutcome(string State, string? Error, TimeSpan NextCheck)
{
    public IReadOnlyList<StartedJob> Jobs { get; init; } = [];

    public DateTime? StartedAt { get; init; }

    /// <summary>The platform runs the jobs in this process and the replica keeps their leases.</summary>
    public bool KeepLease { get; init; }

    /// <summary>The intent as the launch recorded it, when the launch itself writes the outcome: not read back.</summary>
    public StartIntent? Written { get; init; }
}
