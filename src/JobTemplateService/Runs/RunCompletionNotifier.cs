using System.Collections.Concurrent;
using Npgsql;

namespace JobTemplateService.Runs;

/// <summary>
/// Wakes outcome long-polls when a run finishes. One LISTEN connection per replica for all
/// waiters (refresh_run_state notifies jts_run_finished); a waiter holds no connection while it
/// waits. After a reconnect every waiter is woken to re-check, so a missed notification costs
/// one query, never a hang.
/// </summary>
internal sealed class RunCompletionNotifier(NpgsqlDataSource dataSource, ILogger<RunCompletionNotifier> logger) : BackgroundService
{
    public const string Channel = "jts_run_finished";
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<TaskCompletionSource, byte>> waiters = new();

    /// <summary>Subscribe before reading the run's state, then wait (with a deadline) and read again.</summary>
    public Waiter Subscribe(Guid runId) => new(this, runId);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, e) =>
                {
                    if (Guid.TryParse(e.Payload, out var runId)) Wake(runId);
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                WakeAll(); // anything that finished while we were not listening
                while (!stoppingToken.IsCancellationRequested)
                {
                    if (!await connection.WaitAsync(TimeSpan.FromSeconds(30), stoppingToken))
                    {
                        await using var ping = new NpgsqlCommand("SELECT 1", connection);
                        await ping.ExecuteScalarAsync(stoppingToken);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning("Run completion listener lost its connection ({Error}); reconnecting", ex.Message);
                WakeAll();
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private void Wake(Guid runId)
    {
        if (waiters.TryGetValue(runId, out var signals))
        {
            foreach (var signal in signals.Keys) signal.TrySetResult();
        }
    }

    private void WakeAll()
    {
        foreach (var runId in waiters.Keys) Wake(runId);
    }

    private TaskCompletionSource Add(Guid runId)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        waiters.GetOrAdd(runId, _ => new()).TryAdd(signal, 0);
        return signal;
    }

    private void Remove(Guid runId, TaskCompletionSource signal)
    {
        if (waiters.TryGetValue(runId, out var signals) && signals.TryRemove(signal, out _) && signals.IsEmpty)
            waiters.TryRemove(new KeyValuePair<Guid, ConcurrentDictionary<TaskCompletionSource, byte>>(runId, signals));
    }

    internal sealed class Waiter : IDisposable
    {
        private readonly RunCompletionNotifier owner;
        private readonly Guid runId;
        private TaskCompletionSource signal;

        public Waiter(RunCompletionNotifier owner, Guid runId)
        {
            this.owner = owner;
            this.runId = runId;
            signal = owner.Add(runId);
        }

        /// <summary>
        /// True when woken (the run may have finished: read it again), false when the time ran out.
        /// A woken waiter is re-armed before it returns, so nothing that happens next is missed.
        /// </summary>
        public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct)
        {
            if (timeout <= TimeSpan.Zero) return false;
            var current = signal;
            using var delay = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var finished = await Task.WhenAny(current.Task, Task.Delay(timeout, delay.Token));
            await delay.CancelAsync();
            ct.ThrowIfCancellationRequested();
            if (finished != current.Task) return false;
            owner.Remove(runId, current);
            signal = owner.Add(runId);
            return true;
        }

        public void Dispose() => owner.Remove(runId, signal);
    }
}
