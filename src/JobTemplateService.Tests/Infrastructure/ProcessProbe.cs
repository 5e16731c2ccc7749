using System.Diagnostics;

namespace JobTemplateService.Tests;

/// <summary>
/// Looks at processes through /proc (Linux): whether a pid still runs (a zombie does not count),
/// and which processes carry an environment entry, e.g. JTS_RUN_ID=&lt;run&gt;, which every process a
/// local job starts inherits. Leftovers are killed only when their command line is the expected one.
/// </summary>
public static class ProcessProbe
{
    public static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state is not ("Z" or "X");
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    public static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>Running processes whose environment contains exactly this NAME=value entry.</summary>
    public static IReadOnlyList<int> WithEnvironment(string entry)
    {
        var found = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid) || pid == Environment.ProcessId) continue;
            try
            {
                if (File.ReadAllText(Path.Combine(directory, "environ")).Split('\0').Contains(entry) && IsRunning(pid)) found.Add(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile, or not ours to read.
            }
        }
        return found;
    }

    /// <summary>Waits until none of the processes runs any more; returns those still running at the timeout.</summary>
    public static async Task<IReadOnlyList<int>> WaitUntilGoneAsync(Func<IReadOnlyList<int>> running, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var left = running();
            if (left.Count == 0 || clock.Elapsed > timeout) return left;
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    /// <summary>Cleanup for a finally block: kills the pid if it still runs the expected command.</summary>
    public static void KillIfRunning(int pid, string expectedCommandLine)
    {
        if (pid <= 0 || !IsRunning(pid) || CommandLine(pid) != expectedCommandLine) return;
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // Ended meanwhile.
        }
    }

    /// <summary>Cleanup for a finally block: kills every process still carrying the environment entry.</summary>
    public static void KillAllWithEnvironment(string entry)
    {
        foreach (var pid in WithEnvironment(entry))
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill();
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                // Ended meanwhile.
            }
        }
    }
}
