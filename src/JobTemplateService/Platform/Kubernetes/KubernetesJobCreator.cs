using JobTemplateService.Security;
using JobTemplateService.Templates;
using k8s.Models;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;

namespace JobTemplateService.Platform.Kubernetes;

/// <summary>
/// Creates one Job (and, for secret parameters, one Secret it owns) per instance. A Job that
/// already exists under the instance's name was made by an earlier, unclear attempt: it is adopted.
/// A clear refusal undoes the Jobs this call made, so a rejected launch leaves nothing running.
/// </summary>
internal sealed class KubernetesJobCreator(KubernetesJobClient client, IOptions<KubernetesOptions> options,
    KubernetesResilience resilience, ILogger<KubernetesJobCreator> logger)
{
    public async Task<IReadOnlyList<StartedJob>> StartAsync(StartRequest request, CancellationToken ct)
    {
        var o = options.Value;
        if (!o.Specs.TryGetValue(request.PlatformTemplateId, out var spec))
            throw Rejected("KUBERNETES_UNKNOWN_JOB_SPEC", $"No job spec named '{request.PlatformTemplateId}' in platform.ini [kubernetes].");
        // Launches check names first (422); this guards every other way an instance can start.
        if (request.RefusedNames() is { Count: > 0 } refused) throw Rejected("KUBERNETES_PARAMETER_NAME", string.Join(" ", refused));

        var ns = o.NamespaceOf(spec);
        var created = new List<string>();
        var started = new List<StartedJob>();
        foreach (var instance in request.Instances)
        {
            var secretKeys = instance.Parameters.Keys.Where(k => SecretMasker.IsSecret(k, request.SecretParameters)).ToHashSet(StringComparer.Ordinal);
            var job = KubernetesJobBuilder.Job(spec, ns, request.PlatformTemplateId, request.RunId, instance, secretKeys);
            try
            {
                var live = await CreateOrAdoptAsync(job, instance, created, ct);
                var secrets = instance.Parameters.Where(p => secretKeys.Contains(p.Key)).ToDictionary(p => p.Key, p => p.Value);
                if (secrets.Count > 0) await CreateSecretAsync(KubernetesJobBuilder.Secret(live, secrets), ct);
                started.Add(new StartedJob(instance.InstanceId, KubernetesNames.JobId(ns, job.Metadata.Name), job.Metadata.Name));
            }
            catch (KubernetesApiException ex) when (ex.IsClientError)
            {
                await UndoAsync(ns, created);
                throw Rejected(ex.Reason ?? $"HTTP_{ex.StatusCode}", ex.Message);
            }
            catch (BrokenCircuitException ex) when (started.Count == 0 && created.Count == 0)
            {
                throw new PlatformUnavailableException("The Kubernetes API is failing; its circuit is open.", resilience.BreakDuration, ex);
            }
            catch (HttpRequestException ex) when (started.Count == 0 && created.Count == 0 && ex.HttpRequestError is
                HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError)
            {
                throw new PlatformUnavailableException($"The Kubernetes API could not be reached: {ex.Message}", TimeSpan.FromSeconds(10), ex);
            }
        }
        return started;
    }

    private async Task<V1Job> CreateOrAdoptAsync(V1Job job, StartInstance instance, List<string> created, CancellationToken ct)
    {
        try
        {
            var live = await client.CreateJobAsync(job, ct);
            created.Add(job.Metadata.Name);
            return live;
        }
        catch (KubernetesApiException ex) when (ex.StatusCode == 409 && ex.Reason == "AlreadyExists")
        {
            var live = await client.ReadJobAsync(job.Metadata.NamespaceProperty, job.Metadata.Name, ct);
            if (KubernetesNames.Label(live.Metadata, KubernetesNames.InstanceLabel) != instance.InstanceId.ToString())
                throw Rejected("KUBERNETES_NAME_TAKEN", $"A Job named {job.Metadata.Name} exists that this service did not create for instance {instance.InstanceId}.");
            logger.LogInformation("Job {Job} already existed (an earlier start whose answer was lost); adopted", job.Metadata.Name);
            return live;
        }
    }

    private async Task CreateSecretAsync(V1Secret secret, CancellationToken ct)
    {
        try
        {
            await client.CreateSecretAsync(secret, ct);
        }
        catch (KubernetesApiException ex) when (ex.StatusCode == 409 && ex.Reason == "AlreadyExists")
        {
            // Made by an earlier attempt for the same Job.
        }
    }

    private async Task UndoAsync(string ns, IEnumerable<string> names)
    {
        foreach (var name in names)
        {
            try
            {
                await client.DeleteJobAsync(ns, name, CancellationToken.None);
            }
            catch (Exception ex)
            {
                logger.LogWarning("Could not delete Job {Job} of a refused launch ({Error})", name, ex.Message);
            }
        }
    }

    private static PlatformRejectedException Rejected(string code, string message) => new(PlatformNames.Kubernetes, code, message);
}
