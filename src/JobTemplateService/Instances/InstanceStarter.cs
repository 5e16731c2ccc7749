using JobTemplateService.Common;
using JobTemplateService.Platform;
using JobTemplateService.Templates;
using Microsoft.Extensions.Options;

namespace JobTemplateService.Instances;

/// <summary>
/// Starts instances on their platform and records what happened. Shared by the launch request and
/// by the monitor (instances that were recorded but never sent, or must be started once more).
/// The platform call is made once: an unclear answer is recorded as such, never retried here.
/// </summary>
internal sealed class InstanceStarter(InstanceRepository instances, IOptions<MonitorOptions> monitor, TimeProvider time,
    ServiceTelemetry telemetry, ILogger<InstanceStarter> logger)
{
    /// <summary>Starts instances and records the outcome: a start that has no answer to store (the monitor's).</summary>
    public async Task<StartOutcome> StartAsync(IJobPlatform platform, StartBatch batch, CancellationToken ct)
    {
        var attempt = await SendAsync(platform, batch, ct);
        await RecordAsync(attempt, null, ct);
        return attempt.Outcome;
    }

    /// <summary>Calls the platform once for the instances the batch still holds; records nothing (<see cref="RecordAsync"/> does).</summary>
    public async Task<StartAttempt> SendAsync(IJobPlatform platform, StartBatch batch, CancellationToken ct)
    {
        // A launch request's instances are its run's start intent; every other start (a queued
        // instance, a restart after an unclear start) is marked here: fenced, attempt counted.
        var marked = batch.FromIntent ? batch.Leases.Select(l => l.InstanceId).ToHashSet()
            : await instances.MarkStartingAsync(batch.Owner, batch.Leases, batch.FromState, ct);
        var items = batch.Items.Where(i => marked.Contains(i.Lease.InstanceId)).ToList();
        if (items.Count == 0) return new StartAttempt(platform, batch, [], new StartOutcome.LeaseLost());

        var leases = items.Select(i => i.Lease).ToList();
        var request = new StartRequest(batch.RunId, batch.Template.SchJobTemplateId, batch.Template.InstanceNameSuffix,
            batch.Template.InstanceNameParameter, batch.Template.MaxWait, batch.Template.SecretParameters,
            items.Select(i => new StartInstance(i.Lease.InstanceId, i.Lease.Generation, i.Index, i.Values)).ToList(),
            batch.Template.Kind == TemplateKinds.Streaming, batch.Template.AllowedEnvironmentNames);
        var started = time.GetTimestamp();
        StartOutcome outcome;
        try
        {
            var jobs = await platform.StartAsync(request, ct);
            outcome = new StartOutcome.Started(jobs, Timestamps.Now(time));
        }
        catch (PlatformRejectedException ex)
        {
            outcome = new StartOutcome.Rejected(ex.Platform, ex.Code, ex.PlatformMessage);
        }
        catch (PlatformUnavailableException ex)
        {
            outcome = new StartOutcome.NotSent(ex.RetryAfter, ex.Message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            outcome = new StartOutcome.Unknown($"Launch outcome unknown ({ex.GetType().Name}: {ex.Message}); reconciling with {platform.Name}.");
        }
        telemetry.PlatformCall(platform.Name, "start", outcome.Name, time.GetElapsedTime(started));
        return new StartAttempt(platform, batch, leases, outcome);
    }

    /// <summary>
    /// Records what a start came to, fenced on the leases it was sent under. The caller's own
    /// write (a launch's stored answer) commits in the same transaction.
    /// </summary>
    public async Task RecordAsync(StartAttempt attempt, JoinedWrite? alongside, CancellationToken ct)
    {
        var (platform, batch, leases, outcome) = attempt;
        if (batch.FromIntent)
        {
            await RecordIntentAsync(attempt, alongside, ct);
            return;
        }
        switch (outcome)
        {
            case StartOutcome.Started s:
                var byInstance = s.Jobs.ToDictionary(j => j.InstanceId);
                await instances.RecordStartedAsync(batch.RunId, batch.Owner, leases,
                    leases.Select(l => byInstance[l.InstanceId]).ToList(), s.StartedAt, monitor.Value.PollInterval, alongside, ct,
                    keepLease: platform.HoldsLeaseWhileRunning);
                break;
            case StartOutcome.Rejected r:
                await instances.RecordStartFailedAsync(batch.RunId, batch.Owner, leases, r.Describe(), alongside, ct);
                break;
            case StartOutcome.NotSent n:
                // Back to PENDING, to be started when the platform answers again.
                await instances.ReleaseNotSentAsync(batch.Owner, leases, n.RetryAfter, ct);
                break;
            case StartOutcome.Unknown u:
                await instances.RecordStartUnknownAsync(batch.RunId, batch.Owner, leases, u.Message,
                    monitor.Value.ReconcileGrace, alongside, ct);
                break;
        }
        LogRecorded(platform, outcome);
    }

    /// <summary>
    /// A launch request's start: its start intent written as instances, in the state the platform's
    /// answer gives them. Not sent: only when the launch could not be undone, PENDING.
    /// </summary>
    private async Task RecordIntentAsync(StartAttempt attempt, JoinedWrite? alongside, CancellationToken ct)
    {
        var (platform, batch, _, outcome) = attempt;
        var o = monitor.Value;
        IntentOutcome? written = outcome switch
        {
            StartOutcome.Started s => new IntentOutcome(InstanceStates.Running, null, o.PollInterval)
            {
                Jobs = s.Jobs, StartedAt = s.StartedAt, KeepLease = platform.HoldsLeaseWhileRunning,
            },
            StartOutcome.Rejected r => new IntentOutcome(InstanceStates.StartFailed, r.Describe(), TimeSpan.Zero),
            StartOutcome.Unknown u => new IntentOutcome(InstanceStates.Starting, u.Message, o.ReconcileGrace),
            StartOutcome.NotSent n => new IntentOutcome(InstanceStates.Pending, null, n.RetryAfter),
            _ => null,
        };
        if (written is null) return;
        written = written with { Written = batch.Intent };
        var count = await instances.WriteStartIntentAsync(batch.RunId, batch.Owner, written, alongside, ct);
        LogRecorded(platform, outcome);
        if (count == 0)
        {
            logger.LogWarning("The start of run {RunId} was taken over by a monitor before its outcome was recorded; it reconciles it", batch.RunId);
        }
    }

    /// <summary>What a recorded start came to, in the service's log.</summary>
    private void LogRecorded(IJobPlatform platform, StartOutcome outcome)
    {
        switch (outcome)
        {
            case StartOutcome.Started s:
                logger.LogInformation("Started {Count} instance(s) on {Platform}: {JobIds}",
                    s.Jobs.Count, platform.Name, string.Join(", ", s.Jobs.Select(j => j.JobId)));
                break;
            case StartOutcome.Rejected r:
                logger.LogWarning("{Platform} rejected the launch: {Error}", platform.Name, r.Describe());
                break;
            case StartOutcome.NotSent n:
                logger.LogWarning("Launch not sent: {Reason}", n.Message);
                break;
            case StartOutcome.Unknown u:
                logger.LogWarning("{Reason}", u.Message);
                break;
        }
    }
}

/// <summary>A start sent (or not) for the instances the batch still held: what record it needs.</summary>
internal sealed record StartAttempt(IJobPlatform Platform, StartBatch Batch, IReadOnlyList<InstanceLease> Leases, StartOutcome Outcome);

internal sealed record StartBatch(Guid RunId, Guid Owner, JobTemplate Template, string FromState, IReadOnlyList<StartItem> Items,
    StartIntent? Intent = null)
{
    /// <summary>The batch is a launch's start intent (<see cref="StartIntent"/>), not instances already written.</summary>
    public bool FromIntent => Intent is not null;

    public IReadOnlyList<InstanceLease> Leases => Items.Select(i => i.Lease).ToList();
}

internal sealed record StartItem(InstanceLease Lease, int Index, IReadOnlyDictionary<string, string> Values);

internal abstract record StartOutcome(string Name)
{
    public sealed record Started(IReadOnlyList<StartedJob> Jobs, DateTime StartedAt) : StartOutcome("started");

    public sealed record Rejected(string Platform, string? Code, string Message) : StartOutcome("rejected")
    {
        public string Describe() => Code is null ? Message : $"{Code} - {Message}";
    }

    public sealed record NotSent(TimeSpan RetryAfter, string Message) : StartOutcome("not_sent");

    public sealed record Unknown(string Message) : StartOutcome("unknown");

    public sealed record LeaseLost() : StartOutcome("lease_lost");
}
