using System.Runtime.InteropServices;
using System.Text;

namespace ChaosDriver;

/// <summary>The run's numbers as a Markdown section: printed, and appended to chaos/RESULTS.md when asked.</summary>
internal static class Report
{
    public static string Write(ChaosSettings settings, Measurements m, Snapshot s, LaunchStream stream, Invariants invariants, TimeSpan elapsed)
    {
        var adopted = s.Instances.Where(i => i.PlatformJobId is not null).Select(i => i.PlatformJobId!).ToHashSet();
        var runsPerLaunch = s.Runs.GroupBy(r => r.UserRunId).ToDictionary(g => g.Key, g => g.Count());
        var duplicateJobs = s.Jobs.Count(j => !adopted.Contains(j.Id));
        var duplicateRuns = stream.Launches.Sum(l => Math.Max(runsPerLaunch.GetValueOrDefault(l.UserRunId) - 1, 0));
        var runIds = s.Runs.Select(r => r.RunId).ToHashSet();
        var lostRuns = stream.Launches.Count(l => l.RunId is { } id && !runIds.Contains(id));
        var lostInstances = s.Instances.Count(i => !Snapshot.TerminalInstanceStates.Contains(i.State));
        var passed = invariants.Results.Count(r => r.Passed);

        var text = new StringBuilder();
        text.AppendLine($"## Chaos run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC (seed {settings.Seed})");
        text.AppendLine();
        text.AppendLine($"`chaos/run.sh` on {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}; " +
                        $"3 replicas, poll 1 s, lease 10 s, heartbeat 2 s, replica timeout 6 s. Driver time {elapsed.TotalSeconds:F0} s.");
        text.AppendLine();
        text.AppendLine("| measure | result |");
        text.AppendLine("|---|---|");
        text.AppendLine($"| failover after kill -9 mid-poll | {Failover(m.MidPoll)} |");
        text.AppendLine($"| failover after kill -9 mid-launch | {Failover(m.MidLaunch)} |");
        text.AppendLine($"| recovery after Postgres restart (-m immediate) | {Recovery(m.PostgresRestart, "Postgres down")} |");
        text.AppendLine($"| recovery after pg_terminate_backend ({m.TerminatedConnections} connections, 3 rounds) | {Recovery(m.BackendKill, "rounds took")} |");
        text.AppendLine($"| recovery after platform faults | {Recovery(m.PlatformFaults, "faults lasted")} |");
        foreach (var (window, (tries, failed)) in m.Windows)
            text.AppendLine($"| launch error rate, {window} | {failed}/{tries} tries failed ({Percent(failed, tries)}), each retried with the same key |");
        text.AppendLine($"| launches | {stream.Launches.Count(l => l.RunId is not null)}/{stream.Launches.Count} accepted, " +
                        $"{stream.Attempts.Count} tries; {s.Runs.Count} runs, {s.Instances.Count} instances " +
                        $"({string.Join(", ", s.Instances.GroupBy(i => i.State).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key}"))}) |");
        text.AppendLine($"| platform | {s.Jobs.Count} jobs created by {s.Creates.Count} create calls " +
                        $"({string.Join(", ", s.Creates.GroupBy(c => c.Outcome).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key}"))}) |");
        text.AppendLine($"| **duplicate launches** | **{duplicateJobs + duplicateRuns}** ({duplicateJobs} platform jobs no instance adopted, {duplicateRuns} extra runs) |");
        text.AppendLine($"| **lost instances** | **{lostInstances + lostRuns}** ({lostInstances} instances not terminal, {lostRuns} accepted runs missing) |");
        text.AppendLine($"| checks | {passed} passed, {invariants.Results.Count - passed} failed |");
        text.AppendLine();
        foreach (var (name, ok, violations) in invariants.Results)
            text.AppendLine($"- {(ok ? "PASS" : $"**FAIL** ({violations})")} {name}");
        text.AppendLine();

        if (!string.IsNullOrEmpty(settings.ResultsFile))
        {
            if (!File.Exists(settings.ResultsFile))
                File.WriteAllText(settings.ResultsFile, "# Chaos suite results\n\nEach section is one run of `chaos/run.sh`, newest last.\n\n");
            File.AppendAllText(settings.ResultsFile, text.ToString());
        }
        return text.ToString();
    }

    private static string Failover(Failover f) => f.Held == 0
        ? "not measured: the replica held no lease when it was killed"
        : $"held {f.Held} lease(s) ({f.HeldStates}); all claimed by a peer after {Seconds(f.Max)} (median {Seconds(f.Median)}), " +
          $"{(f.Reclaimed.Count == f.Held ? "" : $"only {f.Reclaimed.Count} claimed; ")}past STARTING after {Seconds(f.ResolvedMax)}";

    private static string Recovery(Recovery? r, string outage) => r is null
        ? "not measured"
        : $"{outage} {r.OutageSeconds:F1} s; launches succeed again {Seconds(r.LaunchSeconds)} and metrics are written again " +
          $"{Seconds(r.MonitorSeconds)} after the fault began ({Seconds(r.LaunchSeconds - r.OutageSeconds)} and " +
          $"{Seconds(r.MonitorSeconds - r.OutageSeconds)} after it ended)";

    private static string Seconds(double? value) => value is { } v ? $"{v:F1} s" : "never";

    private static string Percent(int part, int whole) => whole == 0 ? "-" : $"{100.0 * part / whole:F1}%";
}
