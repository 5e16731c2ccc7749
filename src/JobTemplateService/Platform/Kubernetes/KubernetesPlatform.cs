using JobTemplateService.Security;
using JobTemplateService.Templates;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace JobTemplateService.Platform.Kubernetes;

/// <summary>
/// Kubernetes as a platform: one Job per instance, named from the instance id and labelled with the
/// run and instance ids; statuses read in batches (one list of Jobs, and of pods while any runs, per
/// namespace and batch); stop and delete remove the Job with background propagation, so its pods go too.
/// </summary>
internal sealed class KubernetesPlatform(KubernetesJobClient client, KubernetesJobCreator creator, KubernetesLogCopier logs,
    KubernetesResilience resilience, IOptions<KubernetesOptions> options, IOptions<KubernetesClientOptions> clientOptions,
    TimeProvider time) : IJobPlatform
{
    public string Name => PlatformNames.Kubernetes;
    public bool IsConfigured => options.Value.IsConfigured;
    public bool IsRefusingCalls => resilience.IsOpen;
    public bool HoldsLeaseWhileRunning => false;

    public Task<IReadOnlyList<StartedJob>> StartAsync(StartRequest request, CancellationToken ct) => creator.StartAsync(request, ct);

    public async Task<IReadOnlyDictionary<string, JobStatusReport>> GetStatusesAsync(IReadOnlyCollection<string> jobIds, CancellationToken ct)
    {
        var reports = new Dictionary<string, JobStatusReport>();
        foreach (var group in jobIds.Select(KubernetesNames.Parse).GroupBy(j => j.Namespace))
        {
            var selector = KubernetesNames.InstancesSelector(group.Select(j => j.Name));
            var jobs = await client.ListJobsAsync(group.Key, selector, ct);
            var active = jobs.Where(j => j.Status?.Conditions?.Any(c => c.Type is "Complete" or "Failed" && c.Status == "True") != true).ToList();
            var pods = active.Count == 0 ? [] : await client.ListPodsAsync(group.Key, selector, ct);
            foreach (var job in jobs)
            {
                var id = KubernetesNames.JobId(group.Key, job.Metadata.Name);
                reports[id] = KubernetesJobState.Report(id, job, PodsOf(job, pods), Now, clientOptions.Value.PendingTimeout);
            }
        }
        return reports;
    }

    public Task<IReadOnlyDictionary<string, JobDescription>> DescribeAsync(IReadOnlyCollection<string> jobIds, CancellationToken ct) =>
        Task.FromResult<IReadOnlyDictionary<string, JobDescription>>(
            jobIds.ToDictionary(id => id, id => new JobDescription(id, KubernetesNames.Parse(id).Name, null)));

    public async Task<JobResult> GetResultAsync(string jobId, CancellationToken ct)
    {
        var (ns, name) = KubernetesNames.Parse(jobId);
        var job = await ReadAsync(jobId, ns, name, ct);
        var pods = await client.ListPodsAsync(ns, KubernetesNames.InstancesSelector([name]), ct);
        var report = KubernetesJobState.Report(jobId, job, pods, Now, clientOptions.Value.PendingTimeout);
        string? log = null;
        if (report.IsTerminal)
        {
            log = await logs.CopyAsync(job, pods.FirstOrDefault(p => p.Status?.Phase == "Succeeded") ?? KubernetesJobState.Latest(pods), ct);
            // Kubernetes would leave a pod that cannot start waiting forever: the instance has failed, so the Job goes.
            if (report.Status == "PodPending") await client.DeleteJobAsync(ns, name, ct);
        }
        return KubernetesJobState.Result(job, pods, report, log);
    }

    public async Task<IReadOnlyList<FoundJob>?> FindRunJobsAsync(string platformTemplateId, Guid runId, CancellationToken ct)
    {
        if (!options.Value.Specs.TryGetValue(platformTemplateId, out var spec)) return null;
        var ns = options.Value.NamespaceOf(spec);
        var jobs = await client.ListJobsAsync(ns, KubernetesNames.RunSelector(runId), ct);
        // Ordered by instance index, so instances with identical parameters adopt their own Job.
        return jobs.Select(j => new FoundJob(KubernetesNames.JobId(ns, j.Metadata.Name), j.Metadata.Name, Environment(j),
                long.TryParse(KubernetesNames.Label(j.Metadata, KubernetesNames.IndexLabel), out var index) ? index : long.MaxValue))
            .ToList();
    }

    /// <summary>Copies each Job's log, then deletes it with its pods; a Job that is gone counts as stopped.</summary>
    public async Task StopAsync(IReadOnlyCollection<string> jobIds, bool force, CancellationToken ct)
    {
        foreach (var jobId in jobIds)
        {
            var (ns, name) = KubernetesNames.Parse(jobId);
            V1Job job;
            try
            {
                job = await ReadAsync(jobId, ns, name, ct);
            }
            catch (PlatformJobNotFoundException)
            {
                continue;
            }
            var pods = await client.ListPodsAsync(ns, KubernetesNames.InstancesSelector([name]), ct);
            await logs.CopyAsync(job, KubernetesJobState.Latest(pods), ct);
            await client.DeleteJobAsync(ns, name, ct);
        }
    }

    public async Task DeleteAsync(IReadOnlyCollection<string> jobIds, CancellationToken ct)
    {
        foreach (var jobId in jobIds)
        {
            var (ns, name) = KubernetesNames.Parse(jobId);
            await client.DeleteJobAsync(ns, name, ct); // already gone is as good as deleted
        }
    }

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    private async Task<V1Job> ReadAsync(string jobId, string ns, string name, CancellationToken ct)
    {
        try
        {
            return await client.ReadJobAsync(ns, name, ct);
        }
        catch (KubernetesApiException ex) when (ex.StatusCode == 404)
        {
            throw new PlatformJobNotFoundException(jobId);
        }
    }

    private static List<V1Pod> PodsOf(V1Job job, IEnumerable<V1Pod> pods)
    {
        var instance = KubernetesNames.Label(job.Metadata, KubernetesNames.InstanceLabel);
        return pods.Where(p => instance is not null && KubernetesNames.Label(p.Metadata, KubernetesNames.InstanceLabel) == instance).ToList();
    }

    /// <summary>The job's parameters as its container's environment; secrets appear by name only.</summary>
    private static Dictionary<string, string> Environment(V1Job job) =>
        (job.Spec?.Template?.Spec?.Containers?.FirstOrDefault()?.Env ?? [])
        .GroupBy(e => e.Name).ToDictionary(g => g.Key, g => g.First().Value ?? SecretMasker.Mask, StringComparer.Ordinal);
}
