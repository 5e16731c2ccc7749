using Npgsql;

namespace ChaosDriver;

/// <summary>
/// The driver's view of the service's database. Every read retries through outages (the suite
/// restarts Postgres and kills connections); the driver's own connections are named so that
/// pg_terminate_backend on the service's connections spares them.
/// </summary>
internal sealed class Database(ChaosSettings settings) : IAsyncDisposable
{
    private readonly NpgsqlDataSource source = NpgsqlDataSource.Create(settings.ConnectionString);

    public async Task<List<T>> QueryAsync<T>(string sql, Func<NpgsqlDataReader, T> read, params (string Name, object Value)[] parameters)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            try
            {
                await using var connection = await source.OpenConnectionAsync();
                await using var command = new NpgsqlCommand(sql, connection);
                foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
                await using var reader = await command.ExecuteReaderAsync();
                var rows = new List<T>();
                while (await reader.ReadAsync()) rows.Add(read(reader));
                return rows;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(250);
            }
        }
    }

    public async Task<T> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters) =>
        (await QueryAsync(sql, r => r.IsDBNull(0) ? default! : r.GetFieldValue<T>(0), parameters)).Single();

    /// <summary>Runs a statement once, without retrying (used to inject faults).</summary>
    public async Task<int> ExecuteOnceAsync(string sql)
    {
        await using var connection = await source.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteNonQueryAsync();
    }

    public async Task<Guid?> ReplicaIdAsync(int processId) =>
        (await QueryAsync("SELECT replica_id FROM streamsets.service_replica WHERE process_id = @pid ORDER BY started_at DESC LIMIT 1",
            r => r.GetGuid(0), ("pid", processId))).Cast<Guid?>().FirstOrDefault();

    /// <summary>
    /// The instances a replica holds a lease on right now, those its launches are starting included
    /// (a run's start intent, leased to the launching replica: run_instance_now shows them STARTING).
    /// </summary>
    public Task<List<LeasedInstance>> LeasedByAsync(Guid owner, params string[] states) =>
        QueryAsync("""
            SELECT instance_id, lease_generation, state FROM streamsets.run_instance_now
             WHERE lease_owner = @owner AND state = ANY(@states)
            """, r => new LeasedInstance(r.GetGuid(0), r.GetInt64(1), r.GetString(2)), ("owner", owner), ("states", states));

    /// <summary>STARTING instances leased by a replica whose launch call was sent after a moment (database time), start intents included.</summary>
    public Task<List<LeasedInstance>> StartingSentAfterAsync(Guid owner, DateTime after) =>
        QueryAsync("""
            SELECT instance_id, lease_generation, state FROM streamsets.run_instance_now
             WHERE lease_owner = @owner AND state = 'STARTING' AND launch_sent_at > @after
            """, r => new LeasedInstance(r.GetGuid(0), r.GetInt64(1), r.GetString(2)), ("owner", owner), ("after", after));

    /// <summary>
    /// Of the given instances, those claimed again since (generation moved on), with their state now.
    /// An instance of a dead launch's start intent is written by a monitor at generation 1, then claimed.
    /// </summary>
    public Task<List<LeasedInstance>> ReclaimedAsync(IReadOnlyList<LeasedInstance> instances) =>
        QueryAsync("""
            SELECT i.instance_id, i.lease_generation, i.state
              FROM unnest(@ids, @generations) AS s(instance_id, generation)
              JOIN streamsets.run_instance i ON i.instance_id = s.instance_id
             WHERE i.lease_generation > s.generation
            """, r => new LeasedInstance(r.GetGuid(0), r.GetInt64(1), r.GetString(2)),
            ("ids", instances.Select(i => i.InstanceId).ToArray()), ("generations", instances.Select(i => i.Generation).ToArray()));

    /// <summary>When the first metrics row written after a moment was written, if any yet.</summary>
    public async Task<DateTime?> FirstMetricsAfterAsync(DateTime after) =>
        (await QueryAsync("SELECT min(recorded_at) FROM streamsets.job_run_metrics WHERE recorded_at > @after",
            r => r.IsDBNull(0) ? (DateTime?)null : r.GetDateTime(0), ("after", after))).Single();

    public async Task<(long Runs, long Live, long Cleanup)> ProgressAsync() =>
        (await QueryAsync("""
            SELECT (SELECT count(*) FROM streamsets.run),
                   (SELECT count(*) FROM streamsets.run WHERE state IN ('STARTING', 'RUNNING')),
                   (SELECT count(*) FROM streamsets.run_instance WHERE cleanup_pending)
            """, r => (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2)))).Single();

    public ValueTask DisposeAsync() => source.DisposeAsync();
}

internal sealed record LeasedInstance(Guid InstanceId, long Generation, string State);
