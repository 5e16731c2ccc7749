namespace JobTemplateService.Tests;

public sealed class ReplicaHeartbeatTests
{
    private static readonly TimeSpan LongLease = TimeSpan.FromMinutes(5);

    private static void QuietHeartbeat(Dictionary<string, string?> settings)
    {
        // The test beats by hand; validation wants lease > 2 x interval and timeout > interval.
        settings["Monitor:HeartbeatInterval"] = "01:00:00";
        settings["Monitor:ReplicaTimeout"] = "02:00:00";
        settings["Monitor:LeaseDuration"] = "03:00:00";
    }

    [Fact]
    public async Task HeartbeatFreesLeasesOfAReplicaThatStoppedBeating()
    {
        await using var app = await TestApp.StartAsync(QuietHeartbeat);
        await app.Database.TemplateAsync("http", "gcs", RunHelpers.TemplateId);
        await app.Client.LaunchAsync("http", "gcs", "London", "Phoenix");
        await app.FirstPassAsync<ReplicaHeartbeat>(); // or the host's own first beat could remove the dead replica before this test's
        var (dead, alive) = (Guid.NewGuid(), Guid.NewGuid());
        await app.Database.ExecuteAsync("""
            INSERT INTO streamsets.service_replica (replica_id, host_name, process_id, heartbeat_at)
            VALUES (@dead, 'gone', 1, now() - interval '3 hours'), (@alive, 'busy', 2, now() - interval '1 hour')
            """, new { dead, alive });
        var leases = app.Service<LeaseRepository>();
        var deadClaim = Assert.Single(await leases.ClaimAsync(dead, 1, LongLease, default));
        var aliveClaim = Assert.Single(await leases.ClaimAsync(alive, 1, LongLease, default));

        var beat = await app.Service<ReplicaHeartbeat>().RunOnceAsync(default);
        var replicas = await app.Database.QueryAsync<Guid>("SELECT replica_id FROM streamsets.service_replica");
        var takeover = await leases.ClaimAsync(Guid.NewGuid(), 10, LongLease, default);

        Assert.Equal((1L, 1L), (beat.DeadReplicas, beat.FreedLeases));
        Assert.DoesNotContain(dead, replicas);
        Assert.Contains(alive, replicas);
        Assert.Contains(app.Service<ReplicaIdentity>().Id, replicas);
        Assert.Equal([deadClaim.InstanceId], takeover.Select(i => i.InstanceId));
        Assert.Equal(alive, await app.Database.QuerySingleAsync<Guid>(
            "SELECT lease_owner FROM streamsets.run_instance WHERE instance_id = @InstanceId", new { aliveClaim.InstanceId }));
    }

    [Fact]
    public async Task HeartbeatExtendsOnlyTheLeasesThisReplicaIsWorkingOn()
    {
        await using var app = await TestApp.StartAsync(QuietHeartbeat);
        await app.Database.TemplateAsync("http", "gcs", RunHelpers.TemplateId);
        await app.Client.LaunchAsync("http", "gcs", "London", "Phoenix");
        await app.FirstPassAsync<ReplicaHeartbeat>(); // a late first beat of the host's own would extend the held lease beside this test's
        var self = app.Service<ReplicaIdentity>().Id;
        var claimed = await app.Service<LeaseRepository>().ClaimAsync(self, 10, TimeSpan.FromSeconds(2), default);
        using var working = app.Service<ActiveLeases>().Hold([claimed[0].InstanceId]);

        await app.Service<ReplicaHeartbeat>().RunOnceAsync(default);
        var remaining = await app.Database.QueryAsync<(Guid InstanceId, double Seconds)>("""
            SELECT instance_id, extract(epoch FROM lease_expires_at - now())::float8 FROM streamsets.run_instance ORDER BY instance_id
            """);

        Assert.Equal(2, claimed.Count);
        Assert.InRange(remaining.Single(r => r.InstanceId == claimed[0].InstanceId).Seconds, 3 * 3600 - 60, 3 * 3600);
        Assert.InRange(remaining.Single(r => r.InstanceId == claimed[1].InstanceId).Seconds, -1, 2);
    }

    [Fact]
    public async Task ShutdownHandsBackEveryLeaseAtOnce()
    {
        await using var database = await TestDatabase.CreateAsync();
        var app = await TestApp.StartAsync(QuietHeartbeat, database: database);
        await app.Database.TemplateAsync("http", "gcs", RunHelpers.TemplateId);
        await app.Client.LaunchAsync("http", "gcs", "London", "Phoenix", "Lagos");
        var (self, other) = (app.Service<ReplicaIdentity>().Id, Guid.NewGuid());
        var leases = app.Service<LeaseRepository>();
        var mine = await leases.ClaimAsync(self, 2, LongLease, default);
        var theirs = Assert.Single(await leases.ClaimAsync(other, 10, LongLease, default));

        await app.DisposeAsync();
        var owners = await database.QueryAsync<(Guid InstanceId, Guid? Owner)>(
            "SELECT instance_id, lease_owner FROM streamsets.run_instance");
        var replicas = await database.QueryAsync<Guid>("SELECT replica_id FROM streamsets.service_replica");

        Assert.Equal(2, mine.Count);
        Assert.All(mine, m => Assert.Null(owners.Single(o => o.InstanceId == m.InstanceId).Owner));
        Assert.Equal(other, owners.Single(o => o.InstanceId == theirs.InstanceId).Owner);
        Assert.DoesNotContain(self, replicas);
    }
}
