using k8s.Models;

namespace JobTemplateService.Platform.Kubernetes;

/// <summary>
/// What a Job and its pods say about an instance: the Job's Complete or Failed condition, or a pod
/// that cannot start (image pull errors, unschedulable) for longer than the pending limit.
/// </summary>
internal static class KubernetesJobState
{
    private static readonly HashSet<string> StuckReasons =
        ["ImagePullBackOff", "ErrImagePull", "InvalidImageName", "ErrImageNeverPull", "CreateContainerConfigError", "CreateContainerError"];

    public static JobStatusReport Report(string jobId, V1Job job, IReadOnlyList<V1Pod> pods, DateTime now, TimeSpan pendingTimeout)
    {
        if (Condition(job, "Complete") is not null) return new JobStatusReport(jobId, true, true, "Complete", null);
        if (Condition(job, "Failed") is { } failed)
            return new JobStatusReport(jobId, true, false, "Failed", FailureMessage(failed, Latest(pods)));
        if (Stuck(pods, now, pendingTimeout) is { } stuck) return new JobStatusReport(jobId, true, false, "PodPending", stuck);
        var running = pods.Any(p => p.Status?.Phase == "Running");
        return new JobStatusReport(jobId, false, false, running ? "Running" : "Pending", null);
    }

    public static JobResult Result(V1Job job, IReadOnlyList<V1Pod> pods, JobStatusReport report, string? log)
    {
        var pod = pods.FirstOrDefault(p => p.Status?.Phase == "Succeeded") ?? Latest(pods);
        var terminated = Terminated(pod);
        var counts = Counts(terminated?.Message) ?? Counts(log);
        var failedAt = Condition(job, "Failed")?.LastTransitionTime;
        bool? succeeded = report.IsTerminal ? report.Succeeded : null;
        return new JobResult(succeeded, report.ErrorMessage, job.Status?.StartTime ?? pod?.Status?.StartTime,
            job.Status?.CompletionTime ?? failedAt ?? terminated?.FinishedAt, Math.Max(pods.Count, 1),
            counts?.Input, counts?.Output, counts?.Errors, pod?.Spec?.NodeName,
            job.Spec?.Template?.Spec?.Containers?.FirstOrDefault()?.Image, job.Metadata?.Name);
    }

    public static V1Pod? Latest(IEnumerable<V1Pod> pods) => pods.MaxBy(p => p.Metadata?.CreationTimestamp ?? DateTime.MinValue);

    private static V1JobCondition? Condition(V1Job job, string type) =>
        job.Status?.Conditions?.FirstOrDefault(c => c.Type == type && c.Status == "True");

    private static V1ContainerStateTerminated? Terminated(V1Pod? pod) =>
        pod?.Status?.ContainerStatuses?.FirstOrDefault(c => c.Name == KubernetesNames.ContainerName)?.State?.Terminated
        ?? pod?.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Terminated;

    private static string FailureMessage(V1JobCondition failed, V1Pod? pod)
    {
        var message = $"{failed.Reason ?? "Failed"}: {failed.Message ?? "the Job failed"}";
        if (Terminated(pod) is { } t)
        {
            var last = t.Message?.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
            message += $"; pod {pod!.Metadata?.Name}: {t.Reason ?? "Terminated"} (exit code {t.ExitCode})" +
                       (string.IsNullOrEmpty(last) ? "" : $": {Bounded(last)}");
        }
        else if (pod?.Status?.Reason is { } reason)
        {
            message += $"; pod {pod.Metadata?.Name}: {reason}" + (pod.Status.Message is { } m ? $": {Bounded(m)}" : "");
        }
        return message;
    }

    private static string? Stuck(IReadOnlyList<V1Pod> pods, DateTime now, TimeSpan limit)
    {
        foreach (var pod in pods.Where(p => p.Status?.Phase == "Pending"))
        {
            if (now - (pod.Metadata?.CreationTimestamp ?? now) < limit) continue;
            var waiting = pod.Status.ContainerStatuses?.Select(c => c.State?.Waiting).FirstOrDefault(w => w?.Reason is { } r && StuckReasons.Contains(r));
            var unschedulable = pod.Status.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled" && c.Status == "False" && c.Reason == "Unschedulable");
            var (reason, message) = waiting is not null ? (waiting.Reason, waiting.Message)
                : unschedulable is not null ? (unschedulable.Reason, unschedulable.Message) : (null, null);
            if (reason is not null)
                return $"{reason}: pod {pod.Metadata?.Name} could not start within {limit}" + (message is null ? "." : $": {Bounded(message)}");
        }
        return null;
    }

    /// <summary>Counts from the last well-formed JTS_METRICS line of a termination message (at most 4 KB) or log.</summary>
    public static (long Input, long Output, long Errors)? Counts(string? text) => MetricsLine.Last(text);

    private static string Bounded(string text) => text.Length > 500 ? text[..500] : text;
}
