using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace JobTemplateService.Platform.Kubernetes;

/// <summary>
/// The Kubernetes API calls the platform needs, through the official client. Every error answer
/// becomes a <see cref="KubernetesApiException"/> carrying the Status object's code and reason.
/// </summary>
internal sealed class KubernetesJobClient(IOptions<KubernetesOptions> options, IOptions<KubernetesClientOptions> clientOptions,
    KubernetesResilience resilience) : IDisposable
{
    private readonly Lazy<IKubernetes> api = new(() =>
    {
        var o = options.Value;
        var configuration = string.IsNullOrWhiteSpace(o.Kubeconfig)
            ? KubernetesClientConfiguration.InClusterConfig()
            : KubernetesClientConfiguration.BuildConfigFromConfigFile(o.Kubeconfig, string.IsNullOrWhiteSpace(o.Context) ? null : o.Context);
        configuration.HttpClientTimeout = Timeout.InfiniteTimeSpan; // timeouts live in the resilience pipeline
        return new k8s.Kubernetes(configuration, new KubernetesResilienceHandler(resilience));
    });

    private IKubernetes Api => api.Value;

    public Task<V1Job> CreateJobAsync(V1Job job, CancellationToken ct) =>
        Call(() => Api.BatchV1.CreateNamespacedJobAsync(job, job.Metadata.NamespaceProperty, cancellationToken: ct));

    public Task<V1Job> ReadJobAsync(string ns, string name, CancellationToken ct) =>
        Call(() => Api.BatchV1.ReadNamespacedJobAsync(name, ns, cancellationToken: ct));

    public Task<V1Secret> CreateSecretAsync(V1Secret secret, CancellationToken ct) =>
        Call(() => Api.CoreV1.CreateNamespacedSecretAsync(secret, secret.Metadata.NamespaceProperty, cancellationToken: ct));

    public Task<V1Secret> ReadSecretAsync(string ns, string name, CancellationToken ct) =>
        Call(() => Api.CoreV1.ReadNamespacedSecretAsync(name, ns, cancellationToken: ct));

    public Task<List<V1Job>> ListJobsAsync(string ns, string selector, CancellationToken ct) =>
        ListAllAsync(next => Api.BatchV1.ListNamespacedJobAsync(ns, labelSelector: selector, limit: clientOptions.Value.PageSize,
            continueParameter: next, cancellationToken: ct), list => (list.Items, list.Metadata?.ContinueProperty));

    public Task<List<V1Pod>> ListPodsAsync(string ns, string selector, CancellationToken ct) =>
        ListAllAsync(next => Api.CoreV1.ListNamespacedPodAsync(ns, labelSelector: selector, limit: clientOptions.Value.PageSize,
            continueParameter: next, cancellationToken: ct), list => (list.Items, list.Metadata?.ContinueProperty));

    /// <summary>Deletes a Job and, through background propagation, its pods (the default would leave them running).</summary>
    public async Task<bool> DeleteJobAsync(string ns, string name, CancellationToken ct)
    {
        try
        {
            await Call(() => Api.BatchV1.DeleteNamespacedJobAsync(name, ns,
                new V1DeleteOptions { PropagationPolicy = "Background" }, propagationPolicy: "Background", cancellationToken: ct));
            return true;
        }
        catch (KubernetesApiException ex) when (ex.StatusCode == 404)
        {
            return false;
        }
    }

    public async Task<string> ReadPodLogAsync(string ns, string pod, int tailLines, int limitBytes, CancellationToken ct)
    {
        await using var stream = await Call(() => Api.CoreV1.ReadNamespacedPodLogAsync(pod, ns, container: KubernetesNames.ContainerName,
            tailLines: tailLines, limitBytes: limitBytes, cancellationToken: ct));
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync(ct);
    }

    /// <summary>Every page of a list; a continue token that expired (410) starts the list over, once.</summary>
    private static async Task<List<TItem>> ListAllAsync<TList, TItem>(Func<string?, Task<TList>> page,
        Func<TList, (IList<TItem> Items, string? Continue)> read)
    {
        for (var restart = 0; ; restart++)
        {
            var items = new List<TItem>();
            string? next = null;
            try
            {
                do
                {
                    var (pageItems, token) = read(await Call(() => page(next)));
                    items.AddRange(pageItems ?? []);
                    next = string.IsNullOrEmpty(token) ? null : token;
                } while (next is not null);
                return items;
            }
            catch (KubernetesApiException ex) when (ex.StatusCode == 410 && next is not null && restart == 0)
            {
                // The list changed too much while paging: start again from the first page.
            }
        }
    }

    private static async Task<T> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (HttpOperationException ex)
        {
            throw KubernetesApiException.From(ex);
        }
    }

    public void Dispose()
    {
        if (api.IsValueCreated) api.Value.Dispose();
    }
}

/// <summary>An error answer of the Kubernetes API: the HTTP code and its Status object's reason and message.</summary>
internal sealed class KubernetesApiException(int statusCode, string? reason, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
    public string? Reason { get; } = reason;
    public bool IsClientError => StatusCode is >= 400 and < 500 and not 408 and not 429;

    public static KubernetesApiException From(HttpOperationException ex)
    {
        var code = (int)(ex.Response?.StatusCode ?? 0);
        V1Status? status = null;
        try
        {
            if (!string.IsNullOrWhiteSpace(ex.Response?.Content)) status = KubernetesJson.Deserialize<V1Status>(ex.Response.Content);
        }
        catch (System.Text.Json.JsonException)
        {
            // Not a Status object (a proxy's error page): the HTTP code is all there is.
        }
        return new KubernetesApiException(code, status?.Reason, status?.Message ?? $"The Kubernetes API answered HTTP {code}.");
    }
}
