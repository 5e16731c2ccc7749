using System.Diagnostics;
using ChaosDriver;

// The chaos suite's driver; chaos/run.sh prepares Postgres, the schema, the template and the fake
// Control Hub, then runs this. Exit code 0 only when every check passed.
var settings = ChaosSettings.FromEnvironment();
var clock = Stopwatch.StartNew();
using var http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(3), PooledConnectionLifetime = TimeSpan.FromSeconds(30) })
{
    Timeout = TimeSpan.FromSeconds(30),
};
await using var db = new Database(settings);
var replicas = new ServiceReplicas(settings, db, http);
var stream = new LaunchStream(settings, http);
var fake = new FakeHub(settings, http);
var scenario = new Scenario(db, replicas, stream, fake, new PostgresControl(settings));
Log.Info($"seed {settings.Seed}, {settings.Workers} launch workers, replicas on ports {string.Join(", ", settings.ServicePorts)}");

var failures = new List<string>();
try
{
    Log.Phase("starting three service replicas");
    for (var i = 0; i < replicas.Count; i++) await replicas.StartAsync(i);
    await scenario.RunAsync();
}
catch (Exception ex)
{
    failures.Add($"the scenario stopped early: {ex.Message}");
    Log.Info($"SCENARIO ERROR: {ex}");
}

Log.Phase("stopping the launch stream; waiting for launches under way to be accepted");
await stream.StopAsync();
Log.Phase("draining: waiting for every run to finish and every platform job to be cleaned up");
var drainDeadline = DateTime.UtcNow.AddSeconds(240);
while (true)
{
    var (runs, live, cleanup) = await db.ProgressAsync();
    Log.Info($"{runs} runs, {live} still live, {cleanup} platform job(s) awaiting deletion");
    if ((live == 0 && cleanup == 0) || DateTime.UtcNow > drainDeadline) break;
    await Task.Delay(TimeSpan.FromSeconds(5));
}

Log.Phase("checking invariants");
var snapshot = await Snapshot.ReadAsync(db, fake);
var invariants = new Invariants(snapshot, stream.Launches);
invariants.CheckAll();
var sample = stream.Launches.Where(l => l.RunId is not null).OrderBy(l => l.Number % 7).Take(10).ToList();
var replays = new List<string>();
foreach (var launch in sample)
{
    var again = new Launch(launch.Number, launch.Key, launch.UserRunId, launch.Body, launch.Instances);
    await stream.SendAsync(again);
    if (again.RunId != launch.RunId) replays.Add($"{launch.Key}: first run {launch.RunId}, replay {again.RunId?.ToString() ?? again.Rejection}");
}
invariants.Check($"a repeated launch (same Idempotency-Key) returns the same run ({sample.Count} tried)", replays);
foreach (var failure in failures) invariants.Check(failure, ["see the log above"]);
foreach (var (name, failover) in new[] { ("mid-poll", scenario.Results.MidPoll), ("mid-launch", scenario.Results.MidLaunch) })
{
    invariants.Check($"kill -9 {name}: the replica held leases and a peer took every one of them over",
        failover.Complete ? [] : [$"held {failover.Held}, claimed by a peer {failover.Reclaimed.Count}, past STARTING {failover.Resolved.Count}"]);
}
invariants.Check("Postgres restart and killed connections: launches and monitors recovered", new[]
    { ("Postgres restart", scenario.Results.PostgresRestart), ("backend kill", scenario.Results.BackendKill) }
    .Where(r => r.Item2 is not { LaunchSeconds: not null, MonitorSeconds: not null }).Select(r => $"{r.Item1}: not recovered within 120 s"));

Log.Phase("graceful stop (SIGTERM) of every replica");
var exited = await replicas.StopAllAsync(TimeSpan.FromSeconds(60));
var leftover = await db.ScalarAsync<long>(
    "SELECT (SELECT count(*) FROM streamsets.run_instance WHERE lease_owner IS NOT NULL) + " +
    "(SELECT count(*) FROM streamsets.run WHERE start_owner IS NOT NULL) + (SELECT count(*) FROM streamsets.service_replica)");
invariants.Check("SIGTERM: every replica exits within 60 s and hands back its leases and heartbeat",
    exited && leftover == 0 ? [] : [$"all exited: {exited}; leases or replica rows left: {leftover}"]);

var report = Report.Write(settings, scenario.Results, snapshot, stream, invariants, clock.Elapsed);
Console.WriteLine(report);
var passed = invariants.Results.Count(r => r.Passed);
var failed = invariants.Results.Count - passed;
Console.WriteLine($"{passed} passed, {failed} failed");
return failed == 0 ? 0 : 1;
