using System.Collections.Concurrent;
using Dapper;
using JobTemplateService.Instances;
using Npgsql;

namespace JobTemplateService.Runs;

/// <summary>
/// Follows instance logs for every open live-log stream of this replica. One reader fetches the new
/// lines of all watched instances in one query, woken by the log writer's notification (through
/// the replica's one LISTEN connection) or once a second; an open stream holds no database
/// connection. A stream that cannot keep up is sent its lines later, never loses them.
/// </summary>
internal sealed class LogTail(NpgsqlDataSource dataSource, RunCompletionNotifier notifier, ILogger<LogTail> logger) : BackgroundService
{
    public const int BatchLines = 500;
    private static readonly TimeSpan Fallback = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<LogWatcher, byte> watchers = new();
    private readonly SemaphoreSlim wake = new(0, 1);

    public int WatcherCount => watchers.Count;

    /// <summary>Lines after line number <paramref name="after"/>, then an end event once the instance has finished.</summary>
    public LogWatcher Watch(Guid runId, Guid instanceId, long after)
    {
        var watcher = new LogWatcher(this, runId, instanceId, after);
        watchers.TryAdd(watcher, 0);
        Wake();
        return watcher;
    }

    internal void Remove(LogWatcher watcher) => watchers.TryRemove(watcher, out _);

    private void Wake()
    {
        if (wake.CurrentCount == 0)
        {
            try { wake.Release(); } catch (SemaphoreFullException) { } // already awake
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        notifier.LogWritten += Wake;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await wake.WaitAsync(Fallback, stoppingToken);
                try
                {
                    while (!watchers.IsEmpty && await RunOnceAsync(stoppingToken)) { } // a full batch: more is waiting
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning("Could not read instance logs for live streams ({Error}); retrying", ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            notifier.LogWritten -= Wake;
        }
    }

    /// <summary>One read for every watched instance; true when some instance had more lines than one batch.</summary>
    internal async Task<bool> RunOnceAsync(CancellationToken ct)
    {
        var current = watchers.Keys.ToList();
        if (current.Count == 0) return false;
        var from = current.GroupBy(w => w.InstanceId).Select(g => (Id: g.Key, g.First().RunId, After: g.Min(w => w.After))).ToList();
        // Each state is a primary-key lookup, whatever the tables' statistics say; an instance not
        // written yet (its launch is calling the platform) is looked up in its run's start intent.
        const string sql = """
            SELECT w.instance_id,
                   coalesce((SELECT i.state FROM streamsets.run_instance i WHERE i.instance_id = w.instance_id),
                            (SELECT n.state FROM streamsets.run_instance_now n
                              WHERE n.run_id = w.run_id AND n.instance_id = w.instance_id)) AS state,
                   l.line_no, l.stream, l.logged_at, l.line AS text
              FROM unnest(@Ids::uuid[], @Runs::uuid[], @Afters::bigint[]) AS w(instance_id, run_id, after)
              LEFT JOIN LATERAL (SELECT line_no, stream, logged_at, line FROM streamsets.instance_log x
                                  WHERE x.instance_id = w.instance_id AND x.line_no > w.after
                                  ORDER BY x.line_no LIMIT @Batch) l ON true
             ORDER BY w.instance_id, l.line_no
            """;
        List<TailRow> rows;
        await using (var connection = await dataSource.OpenConnectionAsync(ct))
        {
            rows = (await connection.QueryAsync<TailRow>(new CommandDefinition(sql, new
            {
                Ids = from.Select(f => f.Id).ToArray(), Runs = from.Select(f => f.RunId).ToArray(), Afters = from.Select(f => f.After).ToArray(),
                Batch = BatchLines,
            }, cancellationToken: ct))).AsList();
        }

        var more = false;
        foreach (var instance in rows.GroupBy(r => r.InstanceId))
        {
            var lines = instance.Where(r => r.LineNo is not null)
                .Select(r => new InstanceLogEvent(r.LineNo!.Value, r.Stream!, r.LoggedAt!.Value, r.Text!, null)).ToList();
            var state = instance.First().State;
            var finished = (state is null || InstanceStates.IsTerminal(state)) && lines.Count < BatchLines;
            more |= lines.Count == BatchLines;
            foreach (var watcher in current.Where(w => w.InstanceId == instance.Key)) watcher.Deliver(lines, finished ? state ?? "UNKNOWN" : null);
        }
        return more;
    }

    private sealed record TailRow(Guid InstanceId, string? State, long? LineNo, string? Stream, DateTime? LoggedAt, string? Text);
}
