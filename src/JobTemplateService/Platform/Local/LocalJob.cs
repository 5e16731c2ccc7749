namespace JobTemplateService.Platform.Local;

/// <summary>A local process and what its completion needs.</summary>
internal sealed class LocalJob(LocalProcess process, Guid runId, long leaseGeneration, string name, string command, TimeSpan timeout, IDisposable hold)
{
    public LocalProcess Process { get; } = process;
    public Guid RunId { get; } = runId;
    public long LeaseGeneration { get; } = leaseGeneration;
    public string Name { get; } = name;
    public string Command { get; } = command;
    public TimeSpan Timeout { get; } = timeout;
    public IDisposable Hold { get; } = hold;
    public string? StartError { get; set; }

    /// <summary>Completes once the job's completion has been recorded (or given up on).</summary>
    public TaskCompletionSource Recorded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool Succeeded => StartError is null && Process.KilledBecause is null && Process.ExitCode == 0;

    public string? Error => StartError is not null ? $"Could not start: {StartError}"
        : Process.KilledBecause switch
        {
            "canceled" => "Canceled on request; the process tree was killed.",
            "timeout" => $"Did not finish within {Timeout}; the process tree was killed.",
            "shutdown" => "The service stopped while this local process ran; the process tree was killed.",
            _ => Process.ExitCode is 0 or null ? null : $"Exited with code {Process.ExitCode}" +
                (Process.LastErrorLine is null ? "." : $": {Process.LastErrorLine}"),
        };
}
