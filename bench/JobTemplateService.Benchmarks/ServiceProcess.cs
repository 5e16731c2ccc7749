using System.Diagnostics;
using System.Runtime.InteropServices;

namespace JobTemplateService.Benchmarks;

/// <summary>
/// The service (or the benchmark host) as a separate process: `dotnet X.dll` on a loopback port,
/// output appended to a log file, measured from /proc (CPU time, resident memory and its peak).
/// </summary>
internal sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process process;

    private ServiceProcess(Process process, string url, long startedAt)
    {
        this.process = process;
        Url = url;
        StartedAt = startedAt;
    }

    public string Url { get; }
    public int Pid => process.Id;

    /// <summary>Stopwatch timestamp taken just before the process was started.</summary>
    public long StartedAt { get; }

    public static ServiceProcess Start(string dll, IReadOnlyList<string> args, ServiceEnvironment environment, string log)
    {
        var info = new ProcessStartInfo("bash") { WorkingDirectory = environment.WorkingDirectory, UseShellExecute = false };
        foreach (var arg in (string[])["-c", "exec dotnet \"$@\" >>\"$BENCH_LOG\" 2>&1", "bash", dll, .. args]) info.ArgumentList.Add(arg);
        foreach (var (name, value) in environment.Variables) info.Environment[name] = value;
        info.Environment["BENCH_LOG"] = log;
        var startedAt = Stopwatch.GetTimestamp();
        return new ServiceProcess(Process.Start(info)!, environment.Url, startedAt);
    }

    /// <summary>Waits until /health/ready answers 200; returns the time from process start.</summary>
    public async Task<TimeSpan> WaitReadyAsync(HttpClient http, TimeSpan timeout, TimeSpan pollEvery)
    {
        while (true)
        {
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                using var response = await http.GetAsync($"{Url}/health/ready", cts.Token);
                if (response.IsSuccessStatusCode) return Stopwatch.GetElapsedTime(StartedAt);
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
            {
                // Not listening yet.
            }
            if (process.HasExited) throw new InvalidOperationException($"the process exited with {process.ExitCode} before it was ready");
            if (Stopwatch.GetElapsedTime(StartedAt) > timeout) throw new TimeoutException($"not ready within {timeout.TotalSeconds} s");
            await Task.Delay(pollEvery);
        }
    }

    public ProcessSample Sample() => ProcessSample.Read(process.Id);

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            _ = kill(process.Id, 15); // SIGTERM: a graceful stop, leases handed back
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(25));
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
            }
        }
        process.Dispose();
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}

/// <summary>CPU time so far, resident memory now and its peak (VmHWM), from /proc.</summary>
internal sealed record ProcessSample(TimeSpan Cpu, long RssBytes, long PeakRssBytes)
{
    private const double ClockTicksPerSecond = 100; // USER_HZ on Linux

    public static ProcessSample Read(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // fields after "pid (comm) "; utime and stime are the 12th and 13th
        var ticks = long.Parse(fields[11]) + long.Parse(fields[12]);
        var status = File.ReadAllLines($"/proc/{pid}/status");
        return new ProcessSample(TimeSpan.FromSeconds(ticks / ClockTicksPerSecond), Kilobytes(status, "VmRSS:") * 1024,
            Kilobytes(status, "VmHWM:") * 1024);
    }

    private static long Kilobytes(string[] status, string key) =>
        status.FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal)) is { } line
            ? long.Parse(line[key.Length..].Trim().Split(' ')[0]) : 0;
}
