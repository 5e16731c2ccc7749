namespace ChaosDriver;

/// <summary>
/// The suite's verdict: 0 duplicate launches, 0 lost instances, exactly one metrics row per
/// finished instance, every run terminal, each from the database and the platform's own record.
/// A failed check prints its first offending rows.
/// </summary>
internal sealed class Invariants(Snapshot s, IReadOnlyCollection<Launch> launches)
{
    public List<(string Name, bool Passed, int Violations)> Results { get; } = [];

    public void CheckAll()
    {
        var runsByUserRunId = s.Runs.ToLookup(r => r.UserRunId);
        var instancesByRun = s.Instances.ToLookup(i => i.RunId);
        var instancesByJob = s.Instances.Where(i => i.PlatformJobId is not null).ToLookup(i => i.PlatformJobId!);
        var jobs = s.Jobs.ToDictionary(j => j.Id);
        var runIds = s.Runs.Select(r => r.RunId).ToHashSet();

        Check("every launch was eventually accepted (2xx)", launches.Where(l => l.RunId is null)
            .Select(l => $"{l.Key}: {(l.GaveUp ? "gave up after " + l.Attempts + " tries" : l.Rejection)}"));
        Check("every accepted launch has its run (0 lost runs)", launches.Where(l => l.RunId is { } id && !runIds.Contains(id))
            .Select(l => $"{l.Key} -> run {l.RunId} missing"));
        Check("one run per launch (0 duplicate runs)", launches.Where(l => runsByUserRunId[l.UserRunId].Count() > 1)
            .Select(l => $"{l.UserRunId}: runs {string.Join(", ", runsByUserRunId[l.UserRunId].Select(r => r.RunId))}"));
        Check("each run has the instances its launch asked for", launches.Where(l => l.RunId is not null).SelectMany(l =>
        {
            var instances = instancesByRun[l.RunId!.Value].OrderBy(i => i.Ordinal).ToList();
            if (instances.Count != l.Instances) return [$"run {l.RunId}: {instances.Count} instances, {l.Instances} asked"];
            return instances.Where(i => i.Parameters.GetValueOrDefault("CITY") != l.Parameters(i.Ordinal)["CITY"]!.GetValue<string>())
                .Select(i => $"instance {i.InstanceId}: CITY {i.Parameters.GetValueOrDefault("CITY")}");
        }));
        Check("every run is terminal", s.Runs.Where(r => !Snapshot.TerminalRunStates.Contains(r.State)).Select(r => $"run {r.RunId} {r.State}"));
        Check("every instance is terminal (0 lost instances)", s.Instances.Where(i => !Snapshot.TerminalInstanceStates.Contains(i.State))
            .Select(i => $"instance {i.InstanceId} of run {i.RunId}: {i.State}"));

        Check("every platform job belongs to exactly one instance (0 duplicate launches)", s.Jobs
            .Where(j => instancesByJob[j.Id].Count() != 1)
            .Select(j => $"job {j.Id} tag {string.Join(",", j.Tags)} CITY {j.Parameters.GetValueOrDefault("CITY")}: " +
                         $"{instancesByJob[j.Id].Count()} instance(s)"));
        Check("no parameter set was created twice for a run", s.Jobs.GroupBy(j => (Tag: string.Join(",", j.Tags), City: j.Parameters.GetValueOrDefault("CITY")))
            .Where(g => g.Count() > 1).Select(g => $"{g.Key.Tag} CITY {g.Key.City}: {g.Count()} jobs ({string.Join(", ", g.Select(j => j.Id))})"));
        var creating = s.Creates.Where(c => c.JobIds.Length > 0).ToList();
        var runsOnPlatform = s.Instances.Where(i => i.PlatformJobId is not null).Select(i => i.RunId).Distinct().Count();
        Check("create calls that created jobs == runs that reached the platform",
            creating.Count == runsOnPlatform ? [] : [$"{creating.Count} job-creating create calls, {runsOnPlatform} runs with platform jobs"]);
        Check("each run tag was created by at most one create call", creating.GroupBy(c => string.Join(",", c.Tags)).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: create calls {string.Join(", ", g.Select(c => $"#{c.Seq} {c.Outcome}"))}"));
        Check("each instance's platform job exists with its run tag and parameters", s.Instances.Where(i => i.PlatformJobId is not null)
            .Where(i => !jobs.TryGetValue(i.PlatformJobId!, out var j) || !j.Tags.Contains(Snapshot.RunTag(i.RunId))
                        || !SameParameters(i.Parameters, j.Parameters))
            .Select(i => $"instance {i.InstanceId}: job {i.PlatformJobId} {(jobs.ContainsKey(i.PlatformJobId!) ? "differs" : "unknown to the platform")}"));

        var metricsByInstance = s.Metrics.Where(m => m.InstanceId is not null).ToLookup(m => m.InstanceId!.Value);
        Check("exactly one metrics row per finished instance with a platform job", s.Instances.Where(i =>
                metricsByInstance[i.InstanceId].Count() != (i.PlatformJobId is not null && Snapshot.FinishedInstanceStates.Contains(i.State) ? 1 : 0))
            .Select(i => $"instance {i.InstanceId} {i.State} job {i.PlatformJobId ?? "-"}: {metricsByInstance[i.InstanceId].Count()} metrics row(s)"));
        Check("metrics and final states agree with the platform", s.Instances.Where(i => i.PlatformJobId is not null && jobs.ContainsKey(i.PlatformJobId))
            .SelectMany(i => Disagreements(i, jobs[i.PlatformJobId!], metricsByInstance[i.InstanceId].FirstOrDefault())));
        Check("finished jobs were deleted on the platform after their metrics were read", s.Instances
            .Where(i => i.PlatformJobId is not null && (i.CleanupPending || (jobs.TryGetValue(i.PlatformJobId, out var j) && !j.Deleted)))
            .Select(i => $"instance {i.InstanceId} {i.State}: job {i.PlatformJobId} cleanup_pending={i.CleanupPending}"));
    }

    public void Check(string name, IEnumerable<string> violations)
    {
        var list = violations.ToList();
        Results.Add((name, list.Count == 0, list.Count));
        Console.WriteLine($"  {(list.Count == 0 ? "PASS" : "FAIL")}  {name}{(list.Count == 0 ? "" : $" ({list.Count} violation(s))")}");
        foreach (var line in list.Take(8)) Console.WriteLine($"          {line}");
    }

    private static IEnumerable<string> Disagreements(InstanceRow i, FakeJobView job, MetricsRow? m)
    {
        var expected = job.Succeeded ? "SUCCEEDED" : "FAILED";
        if (i.State != expected) yield return $"instance {i.InstanceId}: state {i.State}, platform says {job.Status}/{job.Color}";
        if (m is null) yield break;
        if (m.FinalState != i.State || m.PlatformJobId != job.Id) yield return $"instance {i.InstanceId}: metrics {m.FinalState} for {m.PlatformJobId}";
        if (m.Input != job.InputCount || m.Errors != job.ErrorCount)
            yield return $"instance {i.InstanceId}: metrics in/err {m.Input}/{m.Errors}, platform {job.InputCount}/{job.ErrorCount}";
    }

    private static bool SameParameters(Dictionary<string, string> stored, Dictionary<string, string> sent) =>
        stored.Count == sent.Count && stored.All(p => sent.TryGetValue(p.Key, out var v) && v == p.Value);
}
