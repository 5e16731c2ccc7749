using System.Text;
using JobTemplateService.Platform.Local;
using JobTemplateService.Security;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace JobTemplateService.Platform.Kubernetes;

/// <summary>
/// Copies a finished (or stopped) Job's pod log into the instance log the API and console read,
/// through the same store and bound as local processes' output. Secret values are masked first.
/// </summary>
internal sealed class KubernetesLogCopier(KubernetesJobClient client, LocalLogWriter logs, IOptions<LocalPlatformOptions> local,
    ILogger<KubernetesLogCopier> logger)
{
    private const int MaxBytes = 4 * 1024 * 1024;

    /// <summary>The log's text (null when there is none to read); failures are logged, never thrown.</summary>
    public async Task<string?> CopyAsync(V1Job job, V1Pod? pod, CancellationToken ct)
    {
        var ns = job.Metadata.NamespaceProperty;
        if (pod?.Metadata?.Name is not { } podName || KubernetesNames.InstanceOf(job.Metadata.Name) is not { } instanceId) return null;
        try
        {
            var text = await client.ReadPodLogAsync(ns, podName, Math.Max(local.Value.MaxLogLinesPerInstance, 1), MaxBytes, ct);
            text = SecretMasker.Redact(text, SecretMasker.Needles(await SecretValuesAsync(job, ct)));
            var lines = text.Split('\n');
            var count = lines.Length > 0 && lines[^1].Length == 0 ? lines.Length - 1 : lines.Length;
            var now = DateTime.UtcNow;
            // Numbered from 1 on every copy: a repeated copy of the same log adds nothing (same line numbers).
            for (var i = 0; i < count; i++)
            {
                var line = lines[i].TrimEnd('\r');
                logs.Write(new LogLine(instanceId, i + 1, "stdout", now, line.Length > 4000 ? line[..4000] : line));
            }
            await logs.FlushAsync(ct);
            return text;
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning("Could not copy the log of pod {Pod} ({Error})", podName, ex.Message);
            return null;
        }
    }

    private async Task<IReadOnlyList<string>> SecretValuesAsync(V1Job job, CancellationToken ct)
    {
        var referenced = job.Spec?.Template?.Spec?.Containers?.SelectMany(c => c.Env ?? []).Any(e => e.ValueFrom?.SecretKeyRef is not null);
        if (referenced != true) return [];
        try
        {
            var secret = await client.ReadSecretAsync(job.Metadata.NamespaceProperty, KubernetesNames.SecretName(job.Metadata.Name), ct);
            return (secret.Data ?? new Dictionary<string, byte[]>()).Values.Select(v => Encoding.UTF8.GetString(v))
                .Where(v => v.Length > 0).OrderByDescending(v => v.Length).ToList();
        }
        catch (KubernetesApiException ex) when (ex.StatusCode == 404)
        {
            return [];
        }
    }
}
