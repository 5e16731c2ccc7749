namespace JobTemplateService.Benchmarks;

/// <summary>
/// One poll interval of the run as the platform saw it: the bulk status calls made in it and the
/// job ids they named. Its bound is the instances still without a metrics row when it began ÷ the
/// status batch size, + 1: what one poll of every instance in flight costs at most.
/// </summary>
internal sealed record PollWindow(long StartMs, long StatusCalls, long JobIds, int InFlight)
{
    public double Bound => (double)InFlight / BenchSizes.StatusBatchSize + 1;
}

/// <summary>
/// One poll cycle as the fake saw it (a cycle ends when a status call names a job the cycle already
/// asked about); its bound is the instances without a metrics row when it began ÷ the batch size, + 1.
/// </summary>
internal sealed record CycleBound(long StartMs, long StatusCalls, long JobIds, int InFlight)
{
    public double Bound => (double)InFlight / BenchSizes.StatusBatchSize + 1;

    public static List<CycleBound> From(IReadOnlyList<FakeControlHub.PollCycle> cycles, int instances, IReadOnlyList<long> recordedAtMs)
    {
        var recorded = recordedAtMs.Order().ToArray();
        return cycles.Select(c => new CycleBound(c.StartMs, c.Calls, c.JobIds, instances - PollWindows.CountAtOrBefore(recorded, c.StartMs)))
            .Where(c => c.InFlight > 0).ToList();
    }
}

/// <summary>The fake's running totals of status calls and the job ids they named, sampled over time.</summary>
internal sealed record StatusSample(long AtMs, long Calls, long JobIds);

internal static class PollWindows
{
    /// <summary>Consecutive windows of one poll interval, from the first status call to the last instance in flight.</summary>
    /// <param name="recordedAtMs">when each instance's metrics row was written: instances without one yet are in flight</param>
    public static List<PollWindow> From(IReadOnlyList<StatusSample> samples, TimeSpan interval, int instances, IReadOnlyList<long> recordedAtMs)
    {
        var windows = new List<PollWindow>();
        var firstCall = samples.FirstOrDefault(s => s.Calls > 0);
        if (firstCall is null) return windows;
        var recorded = recordedAtMs.Order().ToArray();
        var step = (long)interval.TotalMilliseconds;
        for (var start = firstCall.AtMs - 1; start + step <= samples[^1].AtMs; start += step)
        {
            var inFlight = instances - CountAtOrBefore(recorded, start);
            if (inFlight <= 0) break;
            var (from, to) = (At(samples, start), At(samples, start + step));
            windows.Add(new PollWindow(start, to.Calls - from.Calls, to.JobIds - from.JobIds, inFlight));
        }
        return windows;
    }

    /// <summary>The last sample taken at or before a moment.</summary>
    private static StatusSample At(IReadOnlyList<StatusSample> samples, long atMs)
    {
        var found = samples[0];
        foreach (var sample in samples)
        {
            if (sample.AtMs > atMs) break;
            found = sample;
        }
        return found;
    }

    internal static int CountAtOrBefore(long[] sorted, long at)
    {
        int low = 0, high = sorted.Length;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (sorted[middle] <= at) low = middle + 1;
            else high = middle;
        }
        return low;
    }
}
