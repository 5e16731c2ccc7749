using System.Diagnostics;
using System.Runtime.InteropServices;

namespace ChaosDriver;

/// <summary>
/// The three service processes: started from the published dll on loopback ports, killed with
/// SIGKILL, restarted, and stopped with SIGTERM. Each process writes its pid to the work folder
/// so that run.sh can clean up whatever the driver leaves behind.
/// </summary>
internal sealed class ServiceReplicas(ChaosSettings settings, Database db, HttpClient http)
{
    private readonly Process?[] processes = new Process?[settings.ServicePorts.Length];
    private readonly Guid?[] replicaIds = new Guid?[settings.ServicePorts.Length];
    private readonly int[] starts = new int[settings.ServicePorts.Length];

    public int Count => processes.Length;

    public int Port(int index) => settings.ServicePorts[index];

    public Guid ReplicaId(int index) => replicaIds[index] ?? throw new InvalidOperationException($"replica {index} has no id yet");

    public bool IsRunning(int index) => processes[index] is { HasExited: false };

    public async Task StartAsync(int index)
    {
        var log = Path.Combine(settings.Work, $"replica-{index + 1}.log");
        starts[index]++;
        var info = new ProcessStartInfo("bash", ["-c", $"exec dotnet \"{settings.ServiceDll}\" --urls http://127.0.0.1:{Port(index)} >>\"{log}\" 2>&1"])
        {
            WorkingDirectory = settings.Work, UseShellExecute = false,
        };
        foreach (var (name, value) in settings.ServiceEnvironment()) info.Environment[name] = value;
        var process = Process.Start(info)!;
        processes[index] = process;
        await File.WriteAllTextAsync(Path.Combine(settings.Work, $"replica-{index + 1}.pid"), process.Id.ToString());

        var deadline = DateTime.UtcNow.AddSeconds(180);
        while (!await ReadyAsync(index))
        {
            if (process.HasExited) throw new InvalidOperationException($"replica {index + 1} exited with {process.ExitCode}; see {log}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"replica {index + 1} was not ready within 180 s; see {log}");
            await Task.Delay(500);
        }
        while ((replicaIds[index] = await db.ReplicaIdAsync(process.Id)) is null)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"replica {index + 1} never registered its heartbeat");
            await Task.Delay(250);
        }
        Log.Info($"replica {index + 1} up on port {Port(index)} (pid {process.Id}, replica id {replicaIds[index]}, start #{starts[index]})");
    }

    /// <summary>kill -9: no shutdown code runs, leases stay where they are.</summary>
    public DateTime Kill(int index)
    {
        var process = processes[index] ?? throw new InvalidOperationException($"replica {index + 1} is not running");
        var at = DateTime.UtcNow;
        Signal(process.Id, 9);
        process.WaitForExit(10_000);
        Log.Info($"replica {index + 1} (pid {process.Id}) killed with SIGKILL");
        return at;
    }

    /// <summary>SIGTERM to every running replica, then waits for them to exit (graceful shutdown).</summary>
    public async Task<bool> StopAllAsync(TimeSpan timeout)
    {
        var running = processes.OfType<Process>().Where(p => !p.HasExited).ToList();
        foreach (var process in running) Signal(process.Id, 15);
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            foreach (var process in running) await process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            foreach (var process in running.Where(p => !p.HasExited)) Signal(process.Id, 9);
            return false;
        }
    }

    private async Task<bool> ReadyAsync(int index)
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            using var response = await http.GetAsync($"http://127.0.0.1:{Port(index)}/health/ready", cts.Token);
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            return false;
        }
    }

    private static void Signal(int pid, int signal) => _ = kill(pid, signal);

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
