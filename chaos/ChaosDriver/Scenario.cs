namespace ChaosDriver;

/// <summary>
/// The fault timeline, one fault at a time under a steady stream of launches: kill -9 of a replica
/// mid-poll and of another mid-launch (each restarted later), a Postgres restart, killed backend
/// connections, and a spell of platform 503s and timeouts. Each step records what it measured.
/// </summary>
internal sealed class Scenario(Database db, ServiceReplicas replicas, LaunchStream stream, FakeHub fake, PostgresControl postgres)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(120);

    private readonly List<Task> restarts = [];

    public Measurements Results { get; } = new();

    public async Task RunAsync()
    {
        Log.Phase("warm-up: steady launches on all replicas for 20 s");
        var from = DateTime.UtcNow;
        stream.Start();
        await Task.Delay(TimeSpan.FromSeconds(20));
        Results.Windows["warm-up (no faults)"] = stream.ErrorsBetween(from, DateTime.UtcNow);

        await KillAsync(0, "kill -9 mid-poll", "status", 1500, ["RUNNING"], Results.MidPoll);
        await KillAsync(1, "kill -9 mid-launch", "create", 2000, ["STARTING"], Results.MidLaunch);
        Log.Phase("waiting for the killed replicas to be back");
        await Task.WhenAll(restarts);
        await RestartPostgresAsync();
        await TerminateBackendsAsync();
        await PlatformFaultsAsync();
        if (Environment.GetEnvironmentVariable("CHAOS_SLOW_PLATFORM") != "0") await SlowPlatformAsync();
    }

    /// <summary>
    /// Slows one platform call so the victim is caught holding leases in the given states, kills it,
    /// and measures how long until another replica has claimed every instance it held (generation
    /// moved on) and until each has left PENDING/STARTING.
    /// </summary>
    private async Task KillAsync(int victim, string name, string slowEndpoint, int delayMs, string[] states, Failover result)
    {
        Log.Phase($"{name}: replica {victim + 1}, with '{slowEndpoint}' calls slowed to {delayMs} ms");
        await fake.SetFaultsAsync(new { delayMs, endpoints = new[] { slowEndpoint } });
        var slowedFrom = await db.ScalarAsync<DateTime>("SELECT now()");
        var owner = replicas.ReplicaId(victim);
        var deadline = DateTime.UtcNow + Wait;
        // A launch sent before the slowdown ends at once and takes its lease along: only later ones count.
        Task<List<LeasedInstance>> CaughtAsync() =>
            states.SequenceEqual(["STARTING"]) ? db.StartingSentAfterAsync(owner, slowedFrom) : db.LeasedByAsync(owner, states);
        while ((await CaughtAsync()).Count == 0 && DateTime.UtcNow < deadline) await Task.Delay(25);
        var killedAt = replicas.Kill(victim);
        var held = await db.LeasedByAsync(owner, "PENDING", "STARTING", "RUNNING");
        await fake.ClearFaultsAsync();
        result.Held = held.Count;
        result.HeldStates = string.Join(", ", held.GroupBy(h => h.State).Select(g => $"{g.Count()} {g.Key}"));
        Log.Info($"replica {victim + 1} held {held.Count} lease(s) when killed ({result.HeldStates})");

        var reclaimed = new Dictionary<Guid, double>();
        var resolved = new Dictionary<Guid, double>();
        while ((reclaimed.Count < held.Count || resolved.Count < held.Count) && DateTime.UtcNow < killedAt + Wait)
        {
            var seconds = (DateTime.UtcNow - killedAt).TotalSeconds;
            foreach (var row in await db.ReclaimedAsync(held))
            {
                reclaimed.TryAdd(row.InstanceId, seconds);
                if (row.State is not ("PENDING" or "STARTING")) resolved.TryAdd(row.InstanceId, seconds);
            }
            await Task.Delay(100);
        }
        result.Reclaimed = reclaimed.Values.Order().ToList();
        result.Resolved = resolved.Values.Order().ToList();
        result.WindowErrors = stream.ErrorsBetween(killedAt, killedAt.AddSeconds(20));
        Log.Info($"failover: {reclaimed.Count}/{held.Count} claimed by a peer, last after {Fmt(result.Reclaimed)}; " +
                 $"{resolved.Count}/{held.Count} past STARTING, last after {Fmt(result.Resolved)}");

        // A replica takes a while to start on a busy machine: the timeline goes on meanwhile.
        restarts.Add(RestartAsync(victim, killedAt.AddSeconds(15)));
    }

    private async Task RestartAsync(int victim, DateTime at)
    {
        if (at > DateTime.UtcNow) await Task.Delay(at - DateTime.UtcNow);
        Log.Info($"restarting replica {victim + 1}");
        await replicas.StartAsync(victim);
    }

    private async Task RestartPostgresAsync()
    {
        Log.Phase("PostgreSQL restart (pg_ctl restart -m immediate)");
        var began = DateTime.UtcNow;
        await postgres.RestartAsync("immediate");
        var up = DateTime.UtcNow;
        Log.Info($"PostgreSQL accepting connections again after {(up - began).TotalSeconds:F1} s");
        Results.PostgresRestart = await RecoveryAsync(began, up);
        Results.Windows["Postgres restart (+20 s)"] = stream.ErrorsBetween(began, began.AddSeconds(20));
    }

    private async Task TerminateBackendsAsync()
    {
        Log.Phase("pg_terminate_backend on every service connection, three times, 1.5 s apart");
        var began = DateTime.UtcNow;
        var terminated = 0L;
        for (var round = 0; round < 3; round++)
        {
            if (round > 0) await Task.Delay(1500);
            terminated += await db.ScalarAsync<long>(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'JobTemplateService'");
        }
        Log.Info($"terminated {terminated} service connection(s)");
        Results.TerminatedConnections = terminated;
        Results.BackendKill = await RecoveryAsync(began, DateTime.UtcNow);
        Results.Windows["backend kill (+15 s)"] = stream.ErrorsBetween(began, began.AddSeconds(15));
    }

    /// <summary>From the fault's start: when a launch sent after it ended succeeded, and when a monitor wrote metrics again.</summary>
    private async Task<Recovery> RecoveryAsync(DateTime began, DateTime ended)
    {
        DateTime? launch = null, metrics = null;
        var deadline = DateTime.UtcNow + Wait;
        while ((launch is null || metrics is null) && DateTime.UtcNow < deadline)
        {
            launch ??= stream.FirstSuccessAfter(ended);
            metrics ??= await db.FirstMetricsAfterAsync(ended);
            await Task.Delay(100);
        }
        var recovery = new Recovery((ended - began).TotalSeconds, (launch - began)?.TotalSeconds, (metrics - began)?.TotalSeconds);
        Log.Info($"recovered: launches after {recovery.LaunchSeconds:F1} s, monitors after {recovery.MonitorSeconds:F1} s (from the fault's start)");
        return recovery;
    }

    private async Task PlatformFaultsAsync()
    {
        Log.Phase("platform faults for 30 s: 20% 503, 5% hang 8 s, 20% of creates create then fail");
        var from = DateTime.UtcNow;
        await fake.SetFaultsAsync(new { status503Rate = 0.2, timeoutRate = 0.05, hangMs = 8000, createThenFailRate = 0.2 });
        await Task.Delay(TimeSpan.FromSeconds(30));
        await fake.ClearFaultsAsync();
        var to = DateTime.UtcNow;
        Results.Windows["platform faults (30 s)"] = stream.ErrorsBetween(from, to);
        Results.PlatformFaults = await RecoveryAsync(from, to);
        await Task.Delay(TimeSpan.FromSeconds(5));
    }

    /// <summary>
    /// On unless CHAOS_SLOW_PLATFORM=0: the platform creates every job, but only after the service's
    /// launch timeout (5 s), reconcile grace (3 s) and a poll have passed, so a search by run tag finds nothing yet.
    /// </summary>
    private async Task SlowPlatformAsync()
    {
        Log.Phase("slow platform for 20 s: create calls take 12 s and still create their jobs");
        await fake.SetFaultsAsync(new { delayMs = 12000, endpoints = new[] { "create" } });
        await Task.Delay(TimeSpan.FromSeconds(20));
        await fake.ClearFaultsAsync();
        await Task.Delay(TimeSpan.FromSeconds(15));
    }

    private static string Fmt(List<double> values) => values.Count == 0 ? "-" : $"{values.Max():F1} s";
}
