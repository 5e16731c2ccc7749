namespace JobTemplateService.Platform.Local;

/// <summary>A local process and what its completion needs.</summary>
internal sealed class LocalJob(LocalProcess process, Guid runId, long leaseGeneration, string name, string command, TimeSpan? timeout,
    bool streaming, IDisposable hold)
{
    public LocalProcess Process { get; } = process;
    public Guid RunId { get; } = runId;
    public long LeaseGeneration { get; } = leaseGeneration;
    public string Name { get; } = name;
    public string Command { get; } = command;

    /// <summary>When the process is killed (the template's max wait, capped by LocalPlatform:Timeout for a batch job); null: never.</summary>
    public TimeSpan? Timeout { get; } = timeout;

    /// <summary>A streaming job is asked to stop (SIGTERM) on cancel, and a clean exit then is its healthy end.</summary>
    public bool Streaming { get; } = streaming;

    public IDisposable Hold { get; } = hold;
    public string? StartError { get; set; }

    /// <summary>Completes once the job's completion has been recorded (or given up on).</summary>
    public TaskCompletionSource Recorded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Exit code 0 of its own accord, or (streaming) after it was asked to stop.</summary>
    public bool Succeeded => StartError is null && Process.KilledBecause is null or "stopped" && Process.ExitCode == 0;

    public string? Error => StartError is not null ? $"Could not start: {StartError}"
        : Process.KilledBecause switch
        {
            "canceled" => "Canceled on request; the process tree was killed.",
            "stopped" when Process.ExitCode == 0 => null,
            "stopped" => $"Stopped on request; the process exited with code {Process.ExitCode}.",
            "stalled" => "Stalled; the process tree was killed.",
            "timeout" => $"Did not finish within {Timeout}; the process tree was killed.",
            "shutdown" => "The service stopped while this local process ran; the process tree was killed.",
            _ => Process.ExitCode is 0 or null ? null : $"Exited with code {Process.ExitCode}" +
                (Process.LastErrorLine is null ? "." : $": {Process.LastErrorLine}"),
        };
}
