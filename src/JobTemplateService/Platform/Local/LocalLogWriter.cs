using System.Threading.Channels;
using Dapper;
using JobTemplateService.Common;
using Microsoft.Extensions.Options;
using Npgsql;

namespace JobTemplateService.Platform.Local;

/// <summary>
/// Writes local processes' output to streamsets.instance_log in small batches as it is produced,
/// keeping at most LocalPlatform:MaxLogLinesPerInstance lines per instance (the oldest go first).
/// Each batch notifies jts_instance_log, which wakes the live log streams of every replica.
/// </summary>
internal sealed class LocalLogWriter(NpgsqlDataSource dataSource, IOptions<LocalPlatformOptions> options, ILogger<LocalLogWriter> logger)
    : BackgroundService
{
    private readonly Channel<LogLine> lines = Channel.CreateBounded<LogLine>(
        new BoundedChannelOptions(100_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    private readonly SemaphoreSlim flushing = new(1, 1);

    // Lines of instances their launch has not written yet (a process can print before the
    // platform's answer is recorded): kept for the next flush, for a while.
    private volatile List<LogLine> held = [];

    private static readonly TimeSpan HoldAtMost = TimeSpan.FromMinutes(1);

    public void Write(LogLine line) => lines.Writer.TryWrite(line);

    /// <summary>Writes everything received so far (a finished process's last lines before its completion is recorded).</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        // One flush at a time: a completion's flush waits for a batch already being written.
        await flushing.WaitAsync(ct);
        try
        {
            var batch = held;
            held = [];
            while (lines.Reader.TryRead(out var line)) batch.Add(line);
            if (batch.Count == 0) return;
            var unwritten = await WriteAsync(batch, ct);
            if (unwritten.Count == 0) return;
            var keepFrom = DateTime.UtcNow - HoldAtMost;
            held = batch.Where(l => unwritten.Contains(l.InstanceId) && l.LoggedAt >= keepFrom).ToList();
        }
        finally
        {
            flushing.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Lines held for an instance not written yet are tried again without waiting for new ones.
            while (held.Count > 0 || await lines.Reader.WaitToReadAsync(stoppingToken))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), stoppingToken);
                try
                {
                    await FlushAsync(stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning("Could not store local process output ({Error}); those lines are lost", ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            await FlushAsync(CancellationToken.None);
        }
    }

    /// <summary>Writes the lines of instances that exist; returns the instances that do not exist yet.</summary>
    private async Task<HashSet<Guid>> WriteAsync(IReadOnlyList<LogLine> batch, CancellationToken ct)
    {
        // Which instances are missing is read first: one written between the two statements then has its
        // lines stored now, or held and stored again next time (ON CONFLICT keeps the first copy); never skipped.
        const string sql = """
            SELECT DISTINCT u.instance_id FROM unnest(@Ids) AS u(instance_id)
             WHERE NOT EXISTS (SELECT 1 FROM streamsets.run_instance i WHERE i.instance_id = u.instance_id);
            INSERT INTO streamsets.instance_log (instance_id, line_no, stream, logged_at, line)
            SELECT * FROM unnest(@Ids, @Numbers, @Streams, @Times, @Texts) AS u(instance_id, line_no, stream, logged_at, line)
             WHERE EXISTS (SELECT 1 FROM streamsets.run_instance i WHERE i.instance_id = u.instance_id)
            ON CONFLICT DO NOTHING;
            DELETE FROM streamsets.instance_log l
             USING (SELECT u.instance_id, max(u.line_no) AS last FROM unnest(@Ids, @Numbers) AS u(instance_id, line_no) GROUP BY 1) m
             WHERE l.instance_id = m.instance_id AND l.line_no <= m.last - @Keep;
            SELECT pg_notify('jts_instance_log', '');
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var results = await connection.QueryMultipleAsync(new CommandDefinition(sql, new
        {
            Ids = batch.Select(l => l.InstanceId).ToArray(), Numbers = batch.Select(l => l.LineNo).ToArray(),
            Streams = batch.Select(l => l.Stream).ToArray(), Times = batch.Select(l => l.LoggedAt).ToArray(),
            Texts = batch.Select(l => l.Text.Replace("\0", "")).ToArray(), Keep = (long)options.Value.MaxLogLinesPerInstance,
        }, cancellationToken: ct));
        var missing = (await results.ReadAsync<Guid>()).ToHashSet();
        await results.ConsumeAsync();
        return missing;
    }
}
