using System.Threading.Channels;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace JobTemplateService.Platform.Local;

/// <summary>
/// Writes local processes' output to streamsets.instance_log in small batches as it is produced,
/// keeping at most LocalPlatform:MaxLogLinesPerInstance lines per instance (the oldest go first).
/// </summary>
internal sealed class LocalLogWriter(NpgsqlDataSource dataSource, IOptions<LocalPlatformOptions> options, ILogger<LocalLogWriter> logger)
    : BackgroundService
{
    private readonly Channel<LogLine> lines = Channel.CreateBounded<LogLine>(
        new BoundedChannelOptions(100_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    private readonly SemaphoreSlim flushing = new(1, 1);

    public void Write(LogLine line) => lines.Writer.TryWrite(line);

    /// <summary>Writes everything received so far (a finished process's last lines before its completion is recorded).</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        // One flush at a time: a completion's flush waits for a batch already being written.
        await flushing.WaitAsync(ct);
        try
        {
            var batch = new List<LogLine>();
            while (lines.Reader.TryRead(out var line)) batch.Add(line);
            if (batch.Count > 0) await WriteAsync(batch, ct);
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
            while (await lines.Reader.WaitToReadAsync(stoppingToken))
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

    private async Task WriteAsync(IReadOnlyList<LogLine> batch, CancellationToken ct)
    {
        const string sql = """
            INSERT INTO streamsets.instance_log (instance_id, line_no, stream, logged_at, line)
            SELECT * FROM unnest(@Ids, @Numbers, @Streams, @Times, @Texts)
            ON CONFLICT DO NOTHING;
            DELETE FROM streamsets.instance_log l
             USING (SELECT u.instance_id, max(u.line_no) AS last FROM unnest(@Ids, @Numbers) AS u(instance_id, line_no) GROUP BY 1) m
             WHERE l.instance_id = m.instance_id AND l.line_no <= m.last - @Keep;
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            Ids = batch.Select(l => l.InstanceId).ToArray(), Numbers = batch.Select(l => l.LineNo).ToArray(),
            Streams = batch.Select(l => l.Stream).ToArray(), Times = batch.Select(l => l.LoggedAt).ToArray(),
            Texts = batch.Select(l => l.Text.Replace("\0", "")).ToArray(), Keep = (long)options.Value.MaxLogLinesPerInstance,
        }, cancellationToken: ct));
    }
}
