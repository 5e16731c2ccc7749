using System.Diagnostics;
using JobTemplateService.Security;

namespace JobTemplateService.Platform.Local;

/// <summary>
/// One local job: `/bin/sh -c COMMAND` (as the job account, see <see cref="JobAccount"/>) with the
/// merged parameters as environment variables, stdout and stderr read line by line (secret values
/// masked before anything is kept), each metrics line taken as the counts so far (the last one is
/// final; a malformed one is ignored with a warning line in the job's log), and the whole process
/// tree killed on cancel, timeout or shutdown.
/// </summary>
internal sealed class LocalProcess(string jobId, Guid instanceId, string command, string? workingDirectory, JobAccount account,
    IReadOnlyDictionary<string, string> environment, IReadOnlyList<string> secretValues, Action<LogLine> log,
    bool streaming = false)
{
    private readonly TaskCompletionSource<int> exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource shellExited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long lineNumber;
    private Process? process;
    private int? groupId;

    public string JobId { get; } = jobId;
    public Guid InstanceId { get; } = instanceId;
    public DateTime? StartedAt { get; private set; }
    public DateTime? FinishedAt { get; private set; }
    public int? ExitCode { get; private set; }
    public string? KilledBecause { get; private set; }
    public (long Input, long Output, long Errors)? Counts => Live is { } live ? (live.Input, live.Output, live.Errors) : null;

    /// <summary>The counts of the last well-formed metrics line so far, and when it was printed.</summary>
    public LiveCounts? Live { get; private set; }
    public string? LastErrorLine { get; private set; }
    public Task<int> Exited => exited.Task;
    public bool IsFinished => exited.Task.IsCompleted;

    private const string Setsid = "/usr/bin/setsid";

    public void Start()
    {
        // In its own session (setsid), the job and everything it starts form one process group,
        // which can be killed as a whole — even processes it left behind when its shell exited.
        var grouped = File.Exists(Setsid);
        // A streaming job is stopped with SIGTERM to its group. Its shell catches it (and so only waits
        // for the job), so the job's own way of ending decides the exit code; a trap does not carry into
        // the job the way an ignored signal would, so the job can still trap TERM itself.
        var argv = account.Command(streaming ? "trap : TERM; " + command : command);
        var info = new ProcessStartInfo(grouped ? Setsid : argv[0])
        {
            WorkingDirectory = workingDirectory ?? Directory.GetCurrentDirectory(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in grouped ? argv : argv.Skip(1)) info.ArgumentList.Add(argument);
        info.Environment.Clear(); // only what the job is given: the service's own secrets stay out
        foreach (var (name, value) in environment) info.Environment[name] = value;
        process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Line("stdout", e.Data);
        process.ErrorDataReceived += (_, e) => Line("stderr", e.Data);
        // A job can exit before Start returns: its exit is handled only once reading has begun,
        // or the process would be disposed under Start and its output lost.
        process.Exited += (_, _) => shellExited.TrySetResult();
        StartedAt = DateTime.UtcNow;
        process.Start();
        groupId = grouped ? process.Id : null;
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _ = FinishAsync();
    }

    /// <summary>
    /// Asks the process and everything it started to stop (SIGTERM), so that it can end cleanly,
    /// and kills them if they are still running after the grace period.
    /// </summary>
    public void Stop(string because, TimeSpan grace)
    {
        if (IsFinished || KilledBecause is not null) return;
        KilledBecause = because;
        if (groupId is not { } group)
        {
            Kill(because);
            return;
        }
        _ = KillProcessGroup(-group, 15);
        _ = Task.Delay(grace).ContinueWith(_ => Kill(because), TaskScheduler.Default);
    }

    /// <summary>Kills the process and everything it started.</summary>
    public void Kill(string because)
    {
        if (IsFinished) return;
        KilledBecause ??= because;
        KillGroup();
        try
        {
            if (process is { HasExited: false }) process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited in the meantime.
        }
    }

    private async Task FinishAsync()
    {
        try
        {
            await shellExited.Task;
            // The shell has exited. Its output ends when every process holding it has gone, so
            // whatever it left running in the background is killed after a short drain.
            var drained = process!.WaitForExitAsync();
            if (await Task.WhenAny(drained, Task.Delay(TimeSpan.FromSeconds(2))) != drained)
            {
                KillGroup();
                await Task.WhenAny(drained, Task.Delay(TimeSpan.FromSeconds(5)));
            }
            KillGroup();
            ExitCode = process.ExitCode;
        }
        finally
        {
            // Whatever happened above, the job is over: never leave its instance waiting on it.
            FinishedAt = DateTime.UtcNow;
            exited.TrySetResult(ExitCode ?? -1);
            process!.Dispose();
        }
    }

    private void KillGroup()
    {
        if (groupId is { } group) _ = KillProcessGroup(-group, 9); // SIGKILL to every process of the job's group
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int KillProcessGroup(int pid, int signal);

    private void Line(string stream, string? text)
    {
        if (text is null) return;
        text = SecretMasker.Redact(text, secretValues);
        if (stream == "stderr" && text.Trim().Length > 0) LastErrorLine = text.Length > 500 ? text[..500] : text;
        var number = Interlocked.Increment(ref lineNumber);
        log(new LogLine(InstanceId, number, stream, DateTime.UtcNow, text.Length > 4000 ? text[..4000] : text));
        if (stream != "stdout" || !MetricsLine.IsMetricsLine(text)) return;
        if (MetricsLine.Parse(text, out var problem) is { } counts)
        {
            Live = new LiveCounts(counts.Input, counts.Output, counts.Errors, DateTime.UtcNow);
            return;
        }
        log(new LogLine(InstanceId, Interlocked.Increment(ref lineNumber), "service", DateTime.UtcNow,
            $"jobtemplateservice: warning: line {number} ignored, not a metrics line ({problem}); " +
            "the form is JTS_METRICS input=N output=N errors=N"));
    }
}

internal sealed record LogLine(Guid InstanceId, long LineNo, string Stream, DateTime LoggedAt, string Text);
