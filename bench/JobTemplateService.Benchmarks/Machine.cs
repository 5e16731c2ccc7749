using System.Runtime.InteropServices;

namespace JobTemplateService.Benchmarks;

/// <summary>What the figures were measured on.</summary>
internal sealed record Machine(string Cpu, int Cores, string Memory, string Os, string Dotnet, string Postgres, string PostgresSettings)
{
    public static async Task<Machine> DescribeAsync(Postgres postgres)
    {
        var cpu = Lines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";
        var memKb = Lines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal))?
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        var os = Lines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?.Split('=', 2)[1].Trim('"')
                 ?? RuntimeInformation.OSDescription;
        var kernel = Lines("/proc/sys/kernel/osrelease").FirstOrDefault() ?? "";
        var settings = new List<string>();
        foreach (var name in new[] { "shared_buffers", "fsync", "synchronous_commit", "max_connections" })
            settings.Add($"{name}={await postgres.ScalarAsync($"SHOW {name}")}");
        return new Machine(cpu, Environment.ProcessorCount, memKb is null ? "unknown" : $"{long.Parse(memKb) / 1048576.0:0.0} GiB",
            $"{os}, Linux {kernel}", RuntimeInformation.FrameworkDescription, await postgres.ScalarAsync("SHOW server_version"),
            string.Join(", ", settings));
    }

    /// <summary>The 1-, 5- and 15-minute load averages.</summary>
    public static string LoadAverage() => string.Join(" ", (Lines("/proc/loadavg").FirstOrDefault() ?? "? ? ?").Split(' ').Take(3));

    private static string[] Lines(string path) => File.Exists(path) ? File.ReadAllLines(path) : [];
}
