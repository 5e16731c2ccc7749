using System.Collections.Concurrent;

namespace FakeControlHub;

/// <summary>The faults in force; swapped whole, so a call sees one consistent setting.</summary>
public sealed class FaultSwitch
{
    private volatile FaultSettings current = FaultSettings.None;

    public FaultSettings Current => current;

    public void Set(FaultSettings settings) => current = settings;

    public void Clear() => current = FaultSettings.None;
}

/// <summary>Counts every call per endpoint, and per endpoint and outcome ("create:503", "status:ok").</summary>
public sealed class CallStats
{
    private readonly ConcurrentDictionary<string, long> calls = new();
    private readonly ConcurrentDictionary<string, long> outcomes = new();
    private readonly ConcurrentDictionary<string, long> jobIds = new();

    public void Call(string endpoint) => calls.AddOrUpdate(endpoint, 1, (_, n) => n + 1);

    public void Outcome(string endpoint, string outcome) => outcomes.AddOrUpdate($"{endpoint}:{outcome}", 1, (_, n) => n + 1);

    public long Calls(string endpoint) => calls.GetValueOrDefault(endpoint);

    /// <summary>Job ids named by the bulk calls (status, bulkGet): with <see cref="Calls(string)"/>, how full their batches were.</summary>
    public void JobIds(string endpoint, int count) => jobIds.AddOrUpdate(endpoint, count, (_, n) => n + count);

    public long JobIds(string endpoint) => jobIds.GetValueOrDefault(endpoint);

    public IReadOnlyDictionary<string, long> CallsSnapshot() => new SortedDictionary<string, long>(calls);

    public IReadOnlyDictionary<string, long> OutcomesSnapshot() => new SortedDictionary<string, long>(outcomes);

    public void Reset()
    {
        calls.Clear();
        outcomes.Clear();
        jobIds.Clear();
    }
}

/// <summary>
/// Status calls grouped into poll cycles, as the platform sees them: a cycle ends when a call names
/// a job id the cycle already asked about, that is when a monitor starts over on the same jobs.
/// </summary>
public sealed class PollCycles
{
    private readonly Lock gate = new();
    private readonly HashSet<string> seen = [];
    private readonly List<PollCycle> closed = [];
    private PollCycle? current;

    public void Record(IReadOnlyCollection<string> ids)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        lock (gate)
        {
            if (current is not null && ids.Any(seen.Contains))
            {
                closed.Add(current);
                current = null;
                seen.Clear();
            }
            current = current is null ? new PollCycle(now, 1, ids.Count) : current with { Calls = current.Calls + 1, JobIds = current.JobIds + ids.Count };
            seen.UnionWith(ids);
        }
    }

    /// <summary>Every cycle so far, the one under way last.</summary>
    public IReadOnlyList<PollCycle> Snapshot()
    {
        lock (gate) return current is null ? closed.ToList() : [.. closed, current];
    }
}

/// <summary>One poll cycle: when its first status call came, how many calls it took and the job ids they named.</summary>
public sealed record PollCycle(long StartMs, long Calls, long JobIds);
