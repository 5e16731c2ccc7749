using System.Collections.Concurrent;

namespace JobTemplateService.Instances;

/// <summary>
/// The instances this replica is working on right now: a monitor pass, a launch waiting for the
/// platform, a local process. Only these leases are renewed by the heartbeat, so a lease that
/// some code path forgot to hand back simply expires instead of being held forever.
/// </summary>
internal sealed class ActiveLeases
{
    private readonly ConcurrentDictionary<Guid, int> active = new();

    public IDisposable Hold(IEnumerable<Guid> instanceIds)
    {
        var ids = instanceIds.ToArray();
        foreach (var id in ids) active.AddOrUpdate(id, 1, (_, count) => count + 1);
        return new Holding(this, ids);
    }

    public Guid[] Snapshot() => active.Keys.ToArray();

    private void Drop(Guid[] ids)
    {
        foreach (var id in ids)
        {
            if (active.AddOrUpdate(id, 0, (_, count) => count - 1) <= 0) active.TryRemove(new KeyValuePair<Guid, int>(id, 0));
        }
    }

    private sealed class Holding(ActiveLeases owner, Guid[] ids) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0) owner.Drop(ids);
        }
    }
}
