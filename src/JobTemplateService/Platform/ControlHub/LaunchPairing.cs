using System.Text;

namespace JobTemplateService.Platform.ControlHub;

/// <summary>
/// Pairs the jobs a create call made with the instances that asked for them, by identity (their
/// runtime parameters), never by position: Control Hub's answer is not documented to keep the
/// request's order, and the SDK never relies on it. Instances with identical parameter sets are
/// interchangeable and are paired in any order. Anything that does not pair one to one is
/// unclear (null): the caller reconciles rather than guesses.
/// </summary>
internal static class LaunchPairing
{
    public static IReadOnlyList<StartedJob>? Pair(IReadOnlyList<StartInstance> instances, IReadOnlyList<ChJobSummary> jobs)
    {
        if (jobs.Count != instances.Count || jobs.Select(j => j.Id).Distinct().Count() != jobs.Count) return null;

        var groups = instances.GroupBy(i => Identity(i.Parameters)).Select(g => g.ToList()).ToList();
        var jobsOf = groups.Select(_ => new Queue<ChJobSummary>()).ToList();
        foreach (var job in jobs)
        {
            var parameters = ControlHubJson.Parameters(job.RuntimeParameters);
            var match = -1;
            for (var g = 0; g < groups.Count; g++)
            {
                if (!ParameterMatch.Matches(groups[g][0].Parameters, parameters)) continue;
                // A job that fits two different parameter sets (one a subset of the other) cannot be told apart.
                if (match >= 0) return null;
                match = g;
            }
            if (match < 0) return null;
            jobsOf[match].Enqueue(job);
        }
        if (Enumerable.Range(0, groups.Count).Any(g => jobsOf[g].Count != groups[g].Count)) return null;

        var paired = new Dictionary<Guid, StartedJob>();
        for (var g = 0; g < groups.Count; g++)
        {
            foreach (var instance in groups[g])
            {
                var job = jobsOf[g].Dequeue();
                paired[instance.InstanceId] = new StartedJob(instance.InstanceId, job.Id, job.Name);
            }
        }
        return instances.Select(i => paired[i.InstanceId]).ToList();
    }

    /// <summary>The parameter set as one string, keys in order, each key and value prefixed by its length: unambiguous.</summary>
    private static string Identity(IReadOnlyDictionary<string, string> parameters)
    {
        var text = new StringBuilder();
        foreach (var (key, value) in parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Append(key.Length).Append(':').Append(key).Append(value.Length).Append(':').Append(value);
        }
        return text.ToString();
    }
}
