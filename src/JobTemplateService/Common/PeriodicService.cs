namespace JobTemplateService.Common;

/// <summary>
/// Background work on a timer: one pass at start, then one per interval (at once after a pass that
/// overran its interval, never two within one interval). A failing pass is
/// logged and the next one continues — an exception escaping ExecuteAsync would stop the host.
/// </summary>
internal abstract class PeriodicService(TimeProvider time, ILogger logger) : BackgroundService
{
    protected TimeProvider Time { get; } = time;

    protected abstract TimeSpan Interval { get; }

    protected virtual bool Enabled => true;

    protected virtual LogLevel FailureLevel => LogLevel.Warning;

    protected abstract Task PassAsync(CancellationToken ct);

    private readonly TaskCompletionSource firstPass = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Completes when the pass run at start has ended, well or not (at once when disabled or stopped
    /// before it): from then on the next pass comes one interval later.
    /// </summary>
    internal Task FirstPass => firstPass.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            if (!Enabled) return;
            while (!stoppingToken.IsCancellationRequested)
            {
                var began = Time.GetTimestamp();
                try
                {
                    await PassAsync(stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.Log(FailureLevel, ex, "{Service} pass failed; the next one runs in {Interval}", GetType().Name, Interval);
                }
                finally
                {
                    firstPass.TrySetResult();
                }
                // The next pass begins one interval after this one began, or at once when this one
                // overran it; never sooner, so passes are at least one interval apart.
                var rest = Interval - Time.GetElapsedTime(began);
                if (rest > TimeSpan.Zero) await Task.Delay(rest, Time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            firstPass.TrySetResult();
        }
    }
}
