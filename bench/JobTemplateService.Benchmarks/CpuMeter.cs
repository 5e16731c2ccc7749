using System.Diagnostics;

namespace JobTemplateService.Benchmarks;

/// <summary>
/// CPU time of the three parties to a measurement, from /proc: the service's host process, the
/// PostgreSQL cluster (its postmaster and every backend it forked) and this driver (load generator
/// and fake Control Hub). Divided by the requests served, it says where each request's CPU went.
/// </summary>
internal sealed class CpuMeter(int hostPid, int? postmasterPid)
{
    public CpuSnapshot Take() => new(ProcessSample.Read(hostPid).Cpu, PostgresCpu(), Process.GetCurrentProcess().TotalProcessorTime);

    public static int? PostmasterPid(string? pidFile) =>
        pidFile is not null && File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var pid) ? pid : null;

    private TimeSpan PostgresCpu()
    {
        if (postmasterPid is not { } postmaster) return TimeSpan.Zero;
        var total = TimeSpan.Zero;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (pid != postmaster && int.Parse(fields[1]) != postmaster) continue;
                // utime + stime; for the postmaster also cutime + cstime, the CPU of backends that have exited.
                var ticks = long.Parse(fields[11]) + long.Parse(fields[12]) + (pid == postmaster ? long.Parse(fields[13]) + long.Parse(fields[14]) : 0);
                total += TimeSpan.FromSeconds(ticks / 100.0);
            }
            catch (IOException)
            {
                // The process ended meanwhile.
            }
        }
        return total;
    }
}

internal sealed record CpuSnapshot(TimeSpan Host, TimeSpan Postgres, TimeSpan Driver)
{
    public static CpuUse operator -(CpuSnapshot end, CpuSnapshot start) =>
        new(end.Host - start.Host, end.Postgres - start.Postgres, end.Driver - start.Driver);
}

/// <summary>CPU time spent by each party over one measurement.</summary>
internal sealed record CpuUse(TimeSpan Host, TimeSpan Postgres, TimeSpan Driver)
{
    public static CpuUse operator +(CpuUse a, CpuUse b) => new(a.Host + b.Host, a.Postgres + b.Postgres, a.Driver + b.Driver);

    public CpuUse PerRequest(int requests) =>
        new(Host / Math.Max(requests, 1), Postgres / Math.Max(requests, 1), Driver / Math.Max(requests, 1));
}
