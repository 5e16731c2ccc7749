namespace JobTemplateService;

/// <summary>
/// Background work on a timer: one pass at start, then one per interval. A failing pass is
/// logged and the next one continues — an exception escaping ExecuteAsync would stop the host.
/// </summary>
internal abstract class PeriodicService(TimeProvider time, ILogger logger) : BackgroundService
{
    protected TimeProvider Time { get; } = time;

    protected abstract TimeSpan Interval { get; }

    protected virtual bool Enabled => true;

    protected virtual LogLevel FailureLevel => LogLevel.Warning;

    protected abstract Task PassAsync(CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled) return;
        using var timer = new PeriodicTimer(Interval, Time);
        try
        {
            do
            {
                try
                {
                    await PassAsync(stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.Log(FailureLevel, ex, "{Service} pass failed; the next one runs in {Interval}", GetType().Name, Interval);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
