using JobTemplateService.Common;
using JobTemplateService.Instances;

namespace JobTemplateService.Platform.Local;

/// <summary>
/// Records a finished local process through the same path as any other completion (terminal
/// state and metrics row in one transaction, fenced on the lease this replica holds).
/// </summary>
internal sealed class LocalCompletion(CompletionRecorder recorder, LeaseRepository leases, LocalLogWriter logs,
    ReplicaIdentity replica, ILogger<LocalCompletion> logger)
{
    public async Task RecordAsync(LocalPlatform platform, LocalJob job)
    {
        var instanceId = job.Process.InstanceId;
        try
        {
            // A very short process can end before its start is committed: wait for RUNNING.
            var held = await leases.HeldAsync(replica.Id, instanceId, CancellationToken.None);
            for (var attempt = 0; attempt < 100 && held?.State == InstanceStates.Starting; attempt++)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100));
                held = await leases.HeldAsync(replica.Id, instanceId, CancellationToken.None);
            }
            // Its last lines, before its completion is recorded (after its instance is written: lines need it).
            await logs.FlushAsync(CancellationToken.None);
            if (held is null)
            {
                logger.LogWarning("Local process {JobId} ended after its instance's lease was lost; its outcome is not recorded", job.Process.JobId);
                return;
            }
            var claimed = held with
            {
                LeaseGeneration = job.LeaseGeneration, State = InstanceStates.Running, PlatformJobId = job.Process.JobId, Name = job.Name,
                MaxWait = job.Timeout,
                StopReason = job.Process.KilledBecause switch
                {
                    "canceled" or "stopped" => "CANCEL", "timeout" => "TIMEOUT", "stalled" => "STALL", _ => null,
                },
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
