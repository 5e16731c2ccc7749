namespace JobTemplateService.Benchmarks;

/// <summary>
/// One poll cycle as the platform saw it: a burst of bulk status calls, separated from the next by
/// a quiet gap. Its bound is the instances still in flight when it began ÷ the status batch size, + 1.
/// </summary>
internal sealed record PollCycle(long StartMs, long StatusCalls, int InFlight)
{
    public double Bound => (double)InFlight / BenchSizes.StatusBatchSize + 1;
}

internal static class PollCycles
{
    /// <param name="samples">(unix ms, status calls so far), in time order</param>
    /// <param name="gap">a pause longer than this ends a cycle</param>
    /// <param name="recordedAtMs">when each instance's metrics row was written: instances without one yet are in flight</param>
    public static List<PollCycle> From(IReadOnlyList<(long AtMs, long Count)> samples, TimeSpan gap, int instances,
        IReadOnlyList<long> recordedAtMs)
    {
        var bursts = new List<(long Start, long Calls)>();
        long lastCallMs = long.MinValue / 2, previous = samples.Count > 0 ? samples[0].Count : 0;
        foreach (var (at, count) in samples.Skip(1))
        {
            if (count == previous) continue;
            if (at - lastCallMs > gap.TotalMilliseconds) bursts.Add((at, 0));
            bursts[^1] = (bursts[^1].Start, bursts[^1].Calls + count - previous);
            previous = count;
            lastCallMs = at;
        }
        var recorded = recordedAtMs.Order().ToArray();
        return bursts.Select(b => new PollCycle(b.Start, b.Calls, instances - CountAtOrBefore(recorded, b.Start))).ToList();
    }

    private static int CountAtOrBefore(long[] sorted, long at)
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
