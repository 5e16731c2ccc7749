using JobTemplateService.Common;
using JobTemplateService.Instances;
using JobTemplateService.Templates;

namespace JobTemplateService.Platform.Local;

/// <summary>
/// Records a finished local process through the same path as any other completion (terminal
/// state and metrics row in one transaction, fenced on the lease this replica holds).
/// </summary>
internal sealed class LocalCompletion(CompletionRecorder recorder, InstanceRepository instances, LocalLogWriter logs,
    ReplicaIdentity replica, ILogger<LocalCompletion> logger)
{
    public async Task RecordAsync(LocalPlatform platform, LocalJob job)
    {
        var instanceId = job.Process.InstanceId;
        try
        {
            await logs.FlushAsync(CancellationToken.None);
            // A very short process can end before its start is committed: wait for RUNNING.
            for (var attempt = 0; attempt < 100; attempt++)
            {
                var state = await instances.StateAsync(instanceId, CancellationToken.None);
                if (state != InstanceStates.Starting) break;
                await Task.Delay(TimeSpan.FromMilliseconds(100));
            }
            var claimed = new ClaimedInstance
            {
                InstanceId = instanceId, RunId = job.RunId, LeaseGeneration = job.LeaseGeneration, State = InstanceStates.Running,
                Platform = PlatformNames.Local, PlatformJobId = job.Process.JobId, Name = job.Name, MaxWait = job.Timeout,
                StopReason = job.Process.KilledBecause switch { "canceled" => "CANCEL", "timeout" => "TIMEOUT", _ => null },
            };
            var report = (await platform.GetStatusesAsync([job.Process.JobId], CancellationToken.None))[job.Process.JobId];
            await recorder.RecordAsync(platform, claimed, report, CancellationToken.None);
        }
        catch (Exception ex)
        {
            // The lease is no longer renewed: it expires and a monitor pass records the job then.
            logger.LogError(ex, "Recording local process {JobId} on replica {ReplicaId} failed", job.Process.JobId, replica.Id);
        }
    }
}
