using System.Collections.Concurrent;
using JobTemplateService.Instances;
using JobTemplateService.Security;
using JobTemplateService.Templates;
using Microsoft.Extensions.Options;

namespace JobTemplateService.Platform.Local;

/// <summary>
/// The local process platform: a template whose platform is 'local' names a command from
/// platform.ini [local]. Each instance is one process on the replica that started it; that
/// replica holds the instance's lease until the process ends and records its completion. If the
/// replica dies, the lease expires and any replica finds the job unknown: FAILED, saying why.
/// </summary>
internal sealed class LocalPlatform(IOptions<LocalPlatformOptions> options, LocalLogWriter logs, ActiveLeases active,
    LocalCompletion completion, ILogger<LocalPlatform> logger) : IJobPlatform
{
    public const string LostMessage =
        "The service replica running this local process stopped before the process finished; its outcome is unknown.";

    private readonly ConcurrentDictionary<string, LocalJob> jobs = new();
    private readonly SemaphoreSlim slots = new(Math.Max(options.Value.MaxConcurrentProcesses, 1));
    // Validated at startup (LocalPlatformValidator); resolved once.
    private readonly Lazy<JobAccount?> account = new(() => JobAccount.Resolve(options.Value, JobAccount.ServiceIsRoot, out _));

    public JobAccount? Account => account.Value;

    public string Name => PlatformNames.Local;
    public bool IsConfigured => options.Value.Commands.Count > 0;
    public bool IsRefusingCalls => false;
    public bool HoldsLeaseWhileRunning => true;

    public IEnumerable<LocalJob> Running => jobs.Values.Where(j => !j.Process.IsFinished);

    /// <summary>Jobs whose end is not recorded yet: running, or ended and being recorded.</summary>
    public IEnumerable<LocalJob> Unrecorded => jobs.Values.Where(j => !j.Recorded.Task.IsCompleted);

    public Task<IReadOnlyList<StartedJob>> StartAsync(StartRequest request, CancellationToken ct)
    {
        if (!options.Value.Commands.TryGetValue(request.PlatformTemplateId, out var command))
        {
            throw new PlatformRejectedException(Name, "LOCAL_UNKNOWN_COMMAND",
                $"No command named '{request.PlatformTemplateId}' in platform.ini [local].");
        }
        // Launches check names first (422); this guards every other way an instance can start.
        if (request.RefusedNames() is { Count: > 0 } refused) throw new PlatformRejectedException(Name, "LOCAL_PARAMETER_NAME", string.Join(" ", refused));
        // LocalPlatform:Timeout caps a batch job; a streaming one runs until it is stopped, or its own max wait.
        var timeout = request.Streaming ? request.MaxWait
            : request.MaxWait is { } wait && wait < options.Value.Timeout ? wait : options.Value.Timeout;
        var started = new List<StartedJob>();
        foreach (var instance in request.Instances)
        {
            var secrets = SecretMasker.Needles(instance.Parameters.Where(p => SecretMasker.IsSecret(p.Key, request.SecretParameters)).Select(p => p.Value));
            var jobId = $"local:{instance.InstanceId}";
            var jobAccount = account.Value ?? throw new PlatformRejectedException(Name, "LOCAL_ACCOUNT", "No account to run local jobs as.");
            var process = new LocalProcess(jobId, instance.InstanceId, command, options.Value.WorkingDirectory, jobAccount,
                Environment(request.RunId, instance, jobAccount), secrets, logs.Write, request.Streaming);
            var job = new LocalJob(process, request.RunId, instance.LeaseGeneration, $"{request.PlatformTemplateId} #{instance.Index + 1}",
                request.PlatformTemplateId, timeout, request.Streaming, active.Hold([instance.InstanceId]));
            jobs[jobId] = job;
            using (ExecutionContext.SuppressFlow()) // the job outlives the request: no request scope in its logs
            {
                _ = Task.Run(() => RunAsync(job), CancellationToken.None);
            }
            started.Add(new StartedJob(instance.InstanceId, jobId, job.Name));
        }
        return Task.FromResult<IReadOnlyList<StartedJob>>(started);
    }

    public Task<IReadOnlyDictionary<string, JobStatusReport>> GetStatusesAsync(IReadOnlyCollection<string> jobIds, CancellationToken ct) =>
        Task.FromResult<IReadOnlyDictionary<string, JobStatusReport>>(jobIds.ToDictionary(id => id, id =>
            jobs.TryGetValue(id, out var job)
                ? new JobStatusReport(id, job.Process.IsFinished, job.Succeeded, job.Process.IsFinished ? "EXITED" : "RUNNING", job.Error)
                : new JobStatusReport(id, true, false, "LOST", LostMessage)));

    public Task<IReadOnlyDictionary<string, JobDescription>> DescribeAsync(IReadOnlyCollection<string> jobIds, CancellationToken ct) =>
        Task.FromResult<IReadOnlyDictionary<string, JobDescription>>(jobIds.Where(jobs.ContainsKey)
            .ToDictionary(id => id, id => new JobDescription(id, jobs[id].Name, jobs[id].Command)));

    public Task<JobResult> GetResultAsync(string jobId, CancellationToken ct)
    {
        if (!jobs.TryGetValue(jobId, out var job) || !job.Process.IsFinished)
            return Task.FromResult(new JobResult(false, LostMessage, null, null, null, null, null, null, null, null, null));
        var p = job.Process;
        return Task.FromResult(new JobResult(job.Succeeded, job.Error, p.StartedAt, p.FinishedAt, 1, p.Counts?.Input, p.Counts?.Output,
            p.Counts?.Errors, System.Environment.MachineName, job.Command, job.Name));
    }

    public Task<IReadOnlyList<FoundJob>?> FindRunJobsAsync(string platformTemplateId, Guid runId, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<FoundJob>?>(null); // a process cannot be found again once its replica is gone

    public Task StopAsync(IReadOnlyCollection<string> jobIds, bool force, CancellationToken ct)
    {
        foreach (var jobId in jobIds)
        {
            if (jobs.TryGetValue(jobId, out var job)) job.Process.Kill("canceled");
        }
        return Task.CompletedTask;
    }

    public Task DeleteAsync(IReadOnlyCollection<string> jobIds, CancellationToken ct) => Task.CompletedTask;

    private async Task RunAsync(LocalJob job)
    {
        try
        {
            await slots.WaitAsync();
            try
            {
                if (job.Process.KilledBecause is null)
                {
                    job.Process.Start();
                    logger.LogInformation("Started local process {JobId}: {Command}", job.Process.JobId, job.Command);
                    using var timer = new CancellationTokenSource(job.Timeout ?? System.Threading.Timeout.InfiniteTimeSpan);
                    using var registration = timer.Token.Register(() => job.Process.Kill("timeout"));
                    await job.Process.Exited;
                }
            }
            finally
            {
                slots.Release();
            }
            await completion.RecordAsync(this, job);
        }
        catch (Exception ex)
        {
            job.StartError = ex.Message;
            logger.LogError(ex, "Local process {JobId} failed to run", job.Process.JobId);
            await completion.RecordAsync(this, job);
        }
        finally
        {
            job.Hold.Dispose();
            job.Recorded.TrySetResult();
            _ = Task.Delay(TimeSpan.FromMinutes(10)).ContinueWith(_ => jobs.TryRemove(job.Process.JobId, out var _), TaskScheduler.Default);
        }
    }

    /// <summary>Only what the job needs: a minimal environment plus its parameters (the service's own secrets stay out).</summary>
    private static Dictionary<string, string> Environment(Guid runId, StartInstance instance, JobAccount jobAccount)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in new[] { "PATH", "HOME", "LANG", "TZ", "TMPDIR" })
        {
            if (System.Environment.GetEnvironmentVariable(name) is { } value) environment[name] = value;
        }
        if (jobAccount.Switches) environment["HOME"] = jobAccount.Home ?? "/";
        foreach (var (key, value) in instance.Parameters) environment[key] = value;
        environment["JTS_RUN_ID"] = runId.ToString();
        environment["JTS_INSTANCE_ID"] = instance.InstanceId.ToString();
        environment["JTS_INSTANCE_INDEX"] = instance.Index.ToString();
        return environment;
    }
}
