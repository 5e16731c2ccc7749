using JobTemplateService.Common;
using JobTemplateService.Instances;
using JobTemplateService.Platform;
using JobTemplateService.Platform.ControlHub;
using JobTemplateService.Runs;
using JobTemplateService.Security;
using JobTemplateService.Templates;
using Microsoft.Extensions.Options;

namespace JobTemplateService.Monitoring;

/// <summary>
/// Instances of one run that were recorded but not (provably) started. PENDING ones were never
/// sent: start them. STARTING ones had an unclear answer: look for them on the platform by the
/// run's tag and adopt what is there; only what the platform does not have is started, once more.
/// </summary>
internal sealed class LaunchReconciler(TemplateRepository templates, InstanceStarter starter, InstanceRepository instances,
    LeaseRepository leases, ReplicaIdentity replica, IOptions<MonitorOptions> options, IOptions<ControlHubClientOptions> client,
    TimeProvider time, ILogger<LaunchReconciler> logger)
{
    private const int MaxLaunchAttempts = 2;

    public async Task ReconcileAsync(IJobPlatform platform, IReadOnlyList<ClaimedInstance> run, CancellationToken ct)
    {
        using var scope = run[0].LogScope(logger);
        var template = await templates.GetByIdAsync(run[0].JobTemplateId, ct)
            ?? throw new InvalidOperationException($"Job template {run[0].JobTemplateId} no longer exists.");

        var pending = run.Where(c => c.State == InstanceStates.Pending).ToList();
        if (pending.Count > 0) await StartAsync(platform, template, pending, InstanceStates.Pending, ct);

        var starting = run.Where(c => c.State == InstanceStates.Starting).ToList();
        if (starting.Count == 0) return;

        var grace = options.Value.ReconcileGrace;
        var early = starting.Where(c => c.LaunchSentAt is { } sent && c.Now - sent < grace).ToList();
        await leases.ReleaseAsync(replica.Id, early.Select(c => new Release(c.Lease, grace - (c.Now - c.LaunchSentAt!.Value))).ToList(), ct);
        starting = starting.Except(early).ToList();
        if (starting.Count == 0) return;

        var found = await platform.FindRunJobsAsync(run[0].PlatformTemplateId, run[0].RunId, ct);
        if (found is null)
        {
            await instances.RecordStartFailedAsync(run[0].RunId, replica.Id, starting.Select(c => c.Lease).ToList(),
                "The replica starting this instance stopped before the start was confirmed; launch it again.", null, ct);
            return;
        }

        var known = await instances.KnownJobIdsAsync(run[0].RunId, ct);
        var available = found.Where(j => !known.Contains(j.JobId)).OrderBy(j => j.CreatedAt).ToList();
        var adopted = new List<(ClaimedInstance Instance, FoundJob Job)>();
        foreach (var instance in starting.OrderBy(c => c.Ordinal))
        {
            var stored = instance.StoredParameters();
            var match = available.FirstOrDefault(j => ParameterMatch.Matches(stored, j.Parameters));
            if (match is null) continue;
            available.Remove(match);
            adopted.Add((instance, match));
        }
        if (adopted.Count > 0)
        {
            await instances.RecordStartedAsync(run[0].RunId, replica.Id, adopted.Select(a => a.Instance.Lease).ToList(),
                adopted.Select(a => new StartedJob(a.Instance.InstanceId, a.Job.JobId, a.Job.Name)).ToList(),
                Timestamps.Now(time), options.Value.PollInterval, null, ct);
            logger.LogInformation("Adopted {Count} job(s) found on {Platform} after an unclear start: {JobIds}",
                adopted.Count, platform.Name, string.Join(", ", adopted.Select(a => a.Job.JobId)));
        }

        var missing = starting.Except(adopted.Select(a => a.Instance)).ToList();
        var canceled = missing.Where(c => c.StopReason == "CANCEL").ToList();
        if (canceled.Count > 0)
        {
            await instances.RecordStartFailedAsync(run[0].RunId, replica.Id, canceled.Select(c => c.Lease).ToList(),
                "Canceled before it started.", null, ct, InstanceStates.Canceled);
        }
        missing = missing.Except(canceled).ToList();

        // A platform may still be working on a create the service gave up waiting for. Only a
        // second miss, at least one launch timeout after the first, counts as "never created".
        var confirmAfter = client.Value.LaunchTimeout > grace ? client.Value.LaunchTimeout : grace;
        var unconfirmed = missing.Where(c => c.ReconcileMissedAt is not { } first || c.Now - first < confirmAfter).ToList();
        if (unconfirmed.Count > 0)
        {
            await instances.RecordMissedAsync(replica.Id, unconfirmed.Select(c => c.Lease).ToList(),
                unconfirmed.Max(c => c.ReconcileMissedAt is { } first ? confirmAfter - (c.Now - first) : confirmAfter), ct);
        }
        missing = missing.Except(unconfirmed).ToList();
        var retry = missing.Where(c => c.LaunchAttempts < MaxLaunchAttempts).ToList();
        var exhausted = missing.Except(retry).ToList();
        if (retry.Count > 0)
        {
            logger.LogWarning("{Count} instance(s) not found on {Platform} after an unclear start; starting them once more",
                retry.Count, platform.Name);
            await StartAsync(platform, template, retry, InstanceStates.Starting, ct);
        }
        if (exhausted.Count > 0)
        {
            await instances.RecordStartFailedAsync(run[0].RunId, replica.Id, exhausted.Select(c => c.Lease).ToList(),
                $"Not found on {platform.Name} after {MaxLaunchAttempts} launch attempts whose outcome was unclear.", null, ct);
        }
    }

    private async Task StartAsync(IJobPlatform platform, JobTemplate template, IReadOnlyList<ClaimedInstance> instancesToStart,
        string fromState, CancellationToken ct)
    {
        var items = new List<StartItem>();
        var unrecoverable = new List<InstanceLease>();
        foreach (var c in instancesToStart)
        {
            var values = ParameterMerger.Restore(template, c.StoredParameters(), c.CallerSecretKeys);
            if (values is null) unrecoverable.Add(c.Lease);
            else items.Add(new StartItem(c.Lease, c.Ordinal, values));
        }
        if (unrecoverable.Count > 0)
        {
            await instances.RecordStartFailedAsync(instancesToStart[0].RunId, replica.Id, unrecoverable,
                "Could not be started after an interruption: its secret parameter values came from the caller and are never stored. Launch it again.",
                null, ct);
        }
        if (items.Count > 0)
        {
            await starter.StartAsync(platform, new StartBatch(instancesToStart[0].RunId, replica.Id, template, fromState, items), ct);
        }
    }
}
