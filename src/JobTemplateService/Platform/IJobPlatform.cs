using JobTemplateService.Templates;

namespace JobTemplateService.Platform;

/// <summary>
/// Where job instances run: Control Hub or the local process platform. Start calls are never
/// retried by an implementation; the caller decides what an unclear outcome means.
/// </summary>
internal interface IJobPlatform
{
    string Name { get; }

    bool IsConfigured { get; }

    /// <summary>True while calls would be refused without being sent (an open circuit).</summary>
    bool IsRefusingCalls { get; }

    /// <summary>
    /// True when a running instance lives in this process (local jobs): the replica that started it
    /// keeps its lease until it finishes, and records the completion itself.
    /// </summary>
    bool HoldsLeaseWhileRunning { get; }

    /// <summary>
    /// Starts one job per instance. Throws <see cref="PlatformRejectedException"/> when the
    /// platform clearly refused, <see cref="PlatformUnavailableException"/> when nothing was sent;
    /// any other exception means the outcome is unknown.
    /// </summary>
    Task<IReadOnlyList<StartedJob>> StartAsync(StartRequest request, CancellationToken ct);

    Task<IReadOnlyDictionary<string, JobStatusReport>> GetStatusesAsync(IReadOnlyCollection<string> jobIds, CancellationToken ct);

    /// <summary>Names and pipeline ids of jobs, for instances that do not know theirs yet.</summary>
    Task<IReadOnlyDictionary<string, JobDescription>> DescribeAsync(IReadOnlyCollection<string> jobIds, CancellationToken ct);

    /// <summary>The outcome of a job's latest run: history entry plus record counts.</summary>
    Task<JobResult> GetResultAsync(string jobId, CancellationToken ct);

    /// <summary>Jobs the platform holds for a run (found by the run's tag), to adopt after an unclear start.</summary>
    Task<IReadOnlyList<FoundJob>?> FindRunJobsAsync(string platformTemplateId, Guid runId, CancellationToken ct);

    /// <summary>Stops (or force-stops) jobs in one go where the platform can; jobs it no longer has count as stopped.</summary>
    Task StopAsync(IReadOnlyCollection<string> jobIds, bool force, CancellationToken ct);

    /// <summary>
    /// Deletes jobs in one go where the platform can; jobs it no longer has count as deleted. Throws
    /// when any could not be deleted: the caller keeps them marked and tries again later.
    /// </summary>
    Task DeleteAsync(IReadOnlyCollection<string> jobIds, CancellationToken ct);
}

internal sealed record StartRequest(
    Guid RunId,
    string PlatformTemplateId,
    string NameSuffix,
    string? NameParameter,
    TimeSpan? MaxWait,
    IReadOnlyCollection<string> SecretParameters,
    IReadOnlyList<StartInstance> Instances,
    bool Streaming = false,
    IReadOnlyCollection<string>? AllowedEnvironmentNames = null)
{
    /// <summary>Parameter names a process-based platform refuses to turn into environment variables, with why.</summary>
    public IReadOnlyList<string> RefusedNames() => Instances.SelectMany(i => i.Parameters.Keys).Distinct().Order(StringComparer.Ordinal)
        .Select(k => JobEnvironmentNames.RuntimeProblem(k, AllowedEnvironmentNames ?? []))
        .OfType<string>().ToList();
}

internal sealed record StartInstance(Guid InstanceId, long LeaseGeneration, int Index, IReadOnlyDictionary<string, string> Parameters);

internal sealed record StartedJob(Guid InstanceId, string JobId, string? Name);

/// <summary>A job's status; Counts are its record counts so far when the platform reports them while it runs.</summary>
internal sealed record JobStatusReport(string JobId, bool IsTerminal, bool Succeeded, string Status, string? ErrorMessage,
    LiveCounts? Counts = null);

/// <summary>Record counts of a running job and the time, by the platform's clock, they are from.</summary>
internal sealed record LiveCounts(long Input, long Output, long Errors, DateTime At);

internal sealed record JobDescription(string JobId, string? Name, string? PipelineId);

internal sealed record JobResult(
    bool? Succeeded,
    string? ErrorMessage,
    DateTime? StartTime,
    DateTime? FinishTime,
    int? RunCount,
    long? InputRecords,
    long? OutputRecords,
    long? ErrorRecords,
    string? EngineId,
    string? PipelineId,
    string? Name);

internal sealed record FoundJob(string JobId, string? Name, IReadOnlyDictionary<string, string> Parameters, long CreatedAt);

/// <summary>The platform clearly refused (a 4xx with its own error code).</summary>
internal sealed class PlatformRejectedException(string platform, string? code, string message)
    : Exception(code is null ? message : $"{code} - {message}")
{
    public string Platform { get; } = platform;
    public string? Code { get; } = code;
    public string PlatformMessage { get; } = message;
}

/// <summary>Nothing reached the platform (open circuit, connection refused): safe to undo and retry later.</summary>
internal sealed class PlatformUnavailableException(string message, TimeSpan retryAfter, Exception? inner = null)
    : Exception(message, inner)
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}

/// <summary>The platform does not know the job.</summary>
internal sealed class PlatformJobNotFoundException(string jobId) : Exception($"The platform has no job '{jobId}'.")
{
    public string JobId { get; } = jobId;
}
