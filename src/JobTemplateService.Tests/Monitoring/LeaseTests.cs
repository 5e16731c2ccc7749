namespace JobTemplateService.Tests;

public sealed class LeaseTests
{
    private static readonly TimeSpan LongLease = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task ConcurrentClaimsByDifferentOwnersNeverReturnTheSameInstance()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.TemplateAsync("http", "gcs", RunHelpers.TemplateId);
        var run = await app.Client.LaunchAsync("http", "gcs", "London", "Phoenix", "Lagos", "Oslo", "Lima", "Perth");
        var leases = app.Service<LeaseRepository>();

        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => leases.ClaimAsync(Guid.NewGuid(), 2, LongLease, default)));
        var latecomer = await leases.ClaimAsync(Guid.NewGuid(), 10, LongLease, default);

        var claimed = claims.SelectMany(c => c.Select(i => i.InstanceId)).ToList();
        Assert.Equal(claimed.Count, claimed.Distinct().Count());
        Assert.Equal(run.Instances.Select(i => i.InstanceId).Order(), claimed.Concat(latecomer.Select(i => i.InstanceId)).Order());
        Assert.DoesNotContain(latecomer, i => claimed.Contains(i.InstanceId));
    }

    [Fact]
    public async Task HeldLeaseIsNotClaimedByAnotherOwner()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.TemplateAsync("http", "gcs", RunHelpers.TemplateId);
        await app.Client.LaunchAsync("http", "gcs", "London", "Phoenix");
        var leases = app.Service<LeaseRepository>();
        var first = await leases.ClaimAsync(Guid.NewGuid(), 1, LongLease, default);

        var second = await leases.ClaimAsync(Guid.NewGuid(), 10, LongLease, default);
        var third = await leases.ClaimAsync(Guid.NewGuid(), 10, LongLease, default);

        Assert.Single(first);
        Assert.Single(second);
        Assert.NotEqual(first[0].InstanceId, second[0].InstanceId);
        Assert.Empty(third);
    }

    [Fact]
    public async Task ExpiredLeaseIsClaimedByAnotherOwnerWithAHigherGeneration()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.TemplateAsync("http", "gcs", RunHelpers.TemplateId);
        await app.Client.LaunchAsync("http", "gcs", "London");
        var leases = app.Service<LeaseRepository>();
        var (deadOwner, nextOwner) = (Guid.NewGuid(), Guid.NewGuid());
        var stale = Assert.Single(await leases.ClaimAsync(deadOwner, 10, LongLease, default));
        var whileHeld = await leases.ClaimAsync(nextOwner, 10, LongLease, default);

        await ExpireLeaseAsync(app, stale.InstanceId);
        var taken = await leases.ClaimAsync(nextOwner, 10, LongLease, default);

        Assert.Empty(whileHeld);
        var current = Assert.Single(taken);
        Assert.Equal(stale.InstanceId, current.InstanceId);
        Assert.Equal(stale.LeaseGeneration + 1, current.LeaseGeneration);
        Assert.Equal(nextOwner, await app.Database.QuerySingleAsync<Guid>(
            "SELECT lease_owner FROM streamsets.run_instance WHERE instance_id = @InstanceId", new { current.InstanceId }));
    }

    [Fact]
    public async Task CompletionFencedWithStaleGenerationChangesNothing()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.TemplateAsync("http", "gcs", RunHelpers.TemplateId);
        var run = await app.Client.LaunchAsync("http", "gcs", "London");
        var (leases, completions) = (app.Service<LeaseRepository>(), app.Service<CompletionRepository>());
        var owner = Guid.NewGuid();
        var stale = Assert.Single(await leases.ClaimAsync(owner, 10, LongLease, default));
        await ExpireLeaseAsync(app, stale.InstanceId);
        var current = Assert.Single(await leases.ClaimAsync(owner, 10, LongLease, default));

        var staleWritten = await completions.CompleteAsync(owner, stale, Succeeded(), default);
        var afterStale = await app.GetRunAsync(run.RunId);
        var rowsAfterStale = await app.Database.MetricsRowsAsync(run.RunId);
        var currentWritten = await completions.CompleteAsync(owner, current, Succeeded(), default);
        var afterCurrent = await app.GetRunAsync(run.RunId);

        Assert.False(staleWritten);
        Assert.Equal((RunStates.Running, InstanceStates.Running), (afterStale.State, afterStale.Instances[0].State));
        Assert.Empty(rowsAfterStale);
        Assert.True(currentWritten);
        Assert.Equal((RunStates.Succeeded, InstanceStates.Succeeded), (afterCurrent.State, afterCurrent.Instances[0].State));
        Assert.Equal(77L, Assert.Single(await app.Database.MetricsRowsAsync(run.RunId)).InputRecordCount);
    }

    [Fact]
    public async Task CompletionByAnOwnerWhoseLeaseWasTakenOverChangesNothing()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.TemplateAsync("http", "gcs", RunHelpers.TemplateId);
        var run = await app.Client.LaunchAsync("http", "gcs", "London");
        var (leases, completions) = (app.Service<LeaseRepository>(), app.Service<CompletionRepository>());
        var (slowOwner, newOwner) = (Guid.NewGuid(), Guid.NewGuid());
        var slow = Assert.Single(await leases.ClaimAsync(slowOwner, 10, LongLease, default));
        await ExpireLeaseAsync(app, slow.InstanceId);
        Assert.Single(await leases.ClaimAsync(newOwner, 10, LongLease, default));

        var written = await completions.CompleteAsync(slowOwner, slow, Succeeded(), default);

        Assert.False(written);
        Assert.Equal(InstanceStates.Running, (await app.GetRunAsync(run.RunId)).Instances[0].State);
        Assert.Empty(await app.Database.MetricsRowsAsync(run.RunId));
    }

    /// <summary>The lease ran out, as it would have after its owner stopped renewing it (no sleeping).</summary>
    private static Task ExpireLeaseAsync(TestApp app, Guid instanceId) => app.Database.ExecuteAsync(
        $"UPDATE streamsets.run_instance SET lease_expires_at = now() - interval '1 second' WHERE instance_id = '{instanceId}'");

    private static Completion Succeeded() => new(InstanceStates.Succeeded, null, null,
        new JobResult(true, null, DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow, 1, 77, 77, 0, "engine-1", "pipeline-1", null),
        Cleanup: false, RetryDelay: TimeSpan.Zero);
}
