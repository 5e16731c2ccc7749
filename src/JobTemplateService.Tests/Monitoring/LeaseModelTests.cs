using Npgsql;

namespace JobTemplateService.Tests;

/// <summary>
/// The lease state machine against the real LeaseRepository and CompletionRepository, driven by
/// seeded random interleavings of claim, renew (heartbeat), complete, release, crash (the process
/// forgets its leases and comes back under a new identity), expire and reap by several owners.
/// A small in-memory model says what each step must do; after every step the database must agree
/// with it: one owner and generation per instance, fenced writes succeed only for the current
/// holder, a terminal state never reverts, and a finished instance has exactly one metrics row.
/// </summary>
public sealed class LeaseModelTests
{
    private const int Instances = 6, Owners = 3, Steps = 80;
    private const string NoParameters = "{}";
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task RandomInterleavingsKeepOneOwnerAndNeverRevertATerminalState(int seed)
    {
        Dapper.DefaultTypeMap.MatchNamesWithUnderscores = true; // as the service sets it at start-up
        await using var database = await TestDatabase.CreateAsync();
        await database.TemplateAsync("http", "gcs", "template-1");
        var ids = Enumerable.Range(0, Instances).Select(_ => Guid.CreateVersion7()).ToArray();
        var runId = Guid.CreateVersion7();
        await database.ExecuteAsync($"""
            INSERT INTO streamsets.run (run_id, user_id, user_run_id, source_type, target_type, job_template_id, pattern_name, platform, platform_template_id, state)
            SELECT '{runId}', 'u', 'r', 'http', 'gcs', job_template_id, 'http-to-gcs', 'controlhub', 'template-1', 'RUNNING' FROM streamsets.job_template;
            INSERT INTO streamsets.run_instance (instance_id, run_id, ordinal, job_template_id, platform, state, parameters, platform_job_id, deadline_at)
            SELECT id, '{runId}', n, (SELECT job_template_id FROM streamsets.job_template), 'controlhub', 'RUNNING', '{NoParameters}', 'job-' || n, now() + interval '1 hour'
              FROM unnest(ARRAY['{string.Join("','", ids)}']::uuid[]) WITH ORDINALITY AS u(id, n);
            """);
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        var leases = new LeaseRepository(dataSource);
        var completions = new CompletionRepository(dataSource);
        var random = new Random(seed);
        var owners = Enumerable.Range(0, Owners).Select(_ => new Owner(new ReplicaIdentity())).ToList();
        var model = ids.ToDictionary(id => id, _ => new Row());

        for (var step = 0; step < Steps; step++)
        {
            var owner = owners[random.Next(Owners)];
            var roll = random.Next(100);
            var what = $"seed {seed} step {step}";
            if (roll < 30)
            {
                var limit = 1 + random.Next(Instances);
                var claimable = model.Where(m => m.Value.State == "RUNNING" && (m.Value.Owner is null || m.Value.Expired)).Select(m => m.Key).ToHashSet();
                var claimed = await leases.ClaimAsync(owner.Id, limit, Lease, CancellationToken.None);
                Assert.True(claimed.All(c => claimable.Contains(c.InstanceId)), $"{what}: claimed a held or finished instance");
                Assert.Equal(Math.Min(limit, claimable.Count), claimed.Count);
                foreach (var c in claimed)
                {
                    Assert.Equal(model[c.InstanceId].Generation + 1, c.LeaseGeneration);
                    model[c.InstanceId] = model[c.InstanceId] with { Owner = owner.Id, Generation = c.LeaseGeneration, Expired = false };
                    owner.Held[c.InstanceId] = c;
                }
            }
            else if (roll < 45)
            {
                await HeartbeatAsync(leases, owner, model);
            }
            else if (roll < 65 && owner.Held.Count > 0)
            {
                var c = owner.Held.Values.ElementAt(random.Next(owner.Held.Count));
                var final = random.Next(2) == 0 ? "SUCCEEDED" : "FAILED";
                var expected = model[c.InstanceId] is { State: "RUNNING" } m && m.Owner == owner.Id && m.Generation == c.LeaseGeneration;
                var written = await completions.CompleteAsync(owner.Id, c, new Completion(final, null, null, null, false, TimeSpan.Zero), CancellationToken.None);
                Assert.True(expected == written, $"{what}: completion by {(expected ? "the holder" : "a stale owner")} returned {written}");
                owner.Held.Remove(c.InstanceId);
                if (written) model[c.InstanceId] = model[c.InstanceId] with { State = final, Owner = null };
            }
            else if (roll < 80 && owner.Held.Count > 0)
            {
                var c = owner.Held.Values.ElementAt(random.Next(owner.Held.Count));
                var expected = model[c.InstanceId].Owner == owner.Id && model[c.InstanceId].Generation == c.LeaseGeneration;
                var released = await leases.ReleaseAsync(owner.Id, [new Release(c.Lease, TimeSpan.Zero)], CancellationToken.None);
                Assert.True((expected ? 1 : 0) == released, $"{what}: release by {(expected ? "the holder" : "a stale owner")} changed {released} row(s)");
                owner.Held.Remove(c.InstanceId);
                if (expected) model[c.InstanceId] = model[c.InstanceId] with { Owner = null };
            }
            else if (roll < 85)
            {
                owners[owners.IndexOf(owner)] = new Owner(new ReplicaIdentity()) { Crashed = owner };
            }
            else if (roll < 95)
            {
                var id = ids[random.Next(Instances)];
                await database.ExecuteAsync($"UPDATE streamsets.run_instance SET lease_expires_at = now() - interval '1 second' WHERE instance_id = '{id}' AND lease_owner IS NOT NULL");
                if (model[id].Owner is not null) model[id] = model[id] with { Expired = true };
            }
            else if (owner.Crashed is { } dead)
            {
                await database.ExecuteAsync($"UPDATE streamsets.service_replica SET heartbeat_at = now() - interval '2 hours' WHERE replica_id = '{dead.Id}'");
                await HeartbeatAsync(leases, owner, model);
                // Only a replica that ever beat is known to be dead; the leases of one that never did simply expire.
                if (dead.Registered) foreach (var id in ids.Where(id => model[id].Owner == dead.Id)) model[id] = model[id] with { Owner = null };
                owner.Crashed = null;
            }

            await AssertMatchesModelAsync(database, model, what);
        }
    }

    private static async Task HeartbeatAsync(LeaseRepository leases, Owner owner, Dictionary<Guid, Row> model)
    {
        await leases.HeartbeatAsync(owner.Identity, owner.Held.Keys.ToArray(), Lease, TimeSpan.FromHours(1), CancellationToken.None);
        owner.Registered = true;
        foreach (var id in owner.Held.Keys.Where(id => model[id].Owner == owner.Id)) model[id] = model[id] with { Expired = false };
    }

    public static TheoryData<int> Seeds() => new(Enumerable.Range(1, 12));

    private static async Task AssertMatchesModelAsync(TestDatabase database, Dictionary<Guid, Row> model, string what)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT i.instance_id, i.state, i.lease_owner, i.lease_generation, (SELECT count(*) FROM streamsets.job_run_metrics m WHERE m.instance_id = i.instance_id)
              FROM streamsets.run_instance i
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var expected = model[reader.GetGuid(0)];
            var state = reader.GetString(1);
            Assert.True(expected.State == state, $"{what}: state {state}, expected {expected.State} (a terminal state never reverts)");
            Assert.True(expected.Owner == (reader.IsDBNull(2) ? null : reader.GetGuid(2)), $"{what}: lease owner differs from the one live owner");
            Assert.Equal(expected.Generation, reader.GetInt64(3));
            Assert.True((state == "RUNNING" ? 0 : 1) == reader.GetInt64(4), $"{what}: {reader.GetInt64(4)} metrics rows for a {state} instance");
        }
    }

    private sealed record Row(string State = "RUNNING", Guid? Owner = null, long Generation = 0, bool Expired = false);

    private sealed class Owner(ReplicaIdentity identity)
    {
        public ReplicaIdentity Identity { get; } = identity;
        public Guid Id => Identity.Id;
        public Dictionary<Guid, ClaimedInstance> Held { get; } = [];
        public Owner? Crashed { get; set; }
        public bool Registered { get; set; }
    }
}
