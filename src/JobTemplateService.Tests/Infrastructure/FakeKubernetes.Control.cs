using System.Text.Json.Nodes;

namespace JobTemplateService.Tests;

/// <summary>What a test makes a Job's pod do, as the Job controller and kubelet would report it.</summary>
public sealed partial class FakeKubernetes
{
    /// <summary>The container exits 0 with this termination message and log; the Job gets its Complete condition.</summary>
    public void Succeed(string jobName, string? terminationMessage = null, string log = "")
    {
        var now = Time(DateTime.UtcNow);
        Update(jobName, log, (job, pod) =>
        {
            SetPod(pod, "Succeeded", Terminated(0, "Completed", terminationMessage, now));
            job["status"] = new JsonObject
            {
                ["startTime"] = job["status"]!["startTime"]!.DeepClone(), ["completionTime"] = now, ["succeeded"] = 1, ["ready"] = 0,
                ["conditions"] = new JsonArray(Condition("SuccessCriteriaMet", "CompletionsReached", "Reached expected number of succeeded pods", now),
                    Condition("Complete", "CompletionsReached", "Reached expected number of succeeded pods", now)),
            };
        });
    }

    /// <summary>The container exits non-zero; the Job gets its Failed condition with this reason (BackoffLimitExceeded, DeadlineExceeded).</summary>
    public void Fail(string jobName, int exitCode, string? terminationMessage, string reason = "BackoffLimitExceeded",
        string message = "Job has reached the specified backoff limit", string log = "")
    {
        var now = Time(DateTime.UtcNow);
        Update(jobName, log, (job, pod) =>
        {
            SetPod(pod, "Failed", Terminated(exitCode, "Error", terminationMessage, now));
            job["status"] = new JsonObject
            {
                ["startTime"] = job["status"]!["startTime"]!.DeepClone(), ["failed"] = 1, ["ready"] = 0,
                ["conditions"] = new JsonArray(Condition("FailureTarget", reason, message, now), Condition("Failed", reason, message, now)),
            };
        });
    }

    /// <summary>The pod stays Pending: its container waits with this reason (ImagePullBackOff, ErrImagePull, …).</summary>
    public void CannotStart(string jobName, string reason, string message) => Update(jobName, "", (job, pod) =>
    {
        SetPod(pod, "Pending", new JsonObject { ["waiting"] = new JsonObject { ["reason"] = reason, ["message"] = message } });
        job["status"]!["ready"] = 0;
    });

    /// <summary>The pod stays Pending because no node fits it (PodScheduled False, reason Unschedulable).</summary>
    public void Unschedulable(string jobName, string message) => Update(jobName, "", (job, pod) =>
    {
        SetPod(pod, "Pending", new JsonObject { ["waiting"] = new JsonObject { ["reason"] = "ContainerCreating" } },
            new JsonArray(new JsonObject
            {
                ["type"] = "PodScheduled", ["status"] = "False", ["reason"] = "Unschedulable", ["message"] = message,
                ["lastTransitionTime"] = Time(DateTime.UtcNow),
            }));
        pod["status"]!.AsObject().Remove("containerStatuses");
        job["status"]!["ready"] = 0;
    });

    /// <summary>What the running pod has printed so far.</summary>
    public void WriteLog(string jobName, string log) => Update(jobName, log, (_, _) => { });

    /// <summary>Pods whose Job is gone but that were left running (orphaned).</summary>
    public IReadOnlyList<JsonObject> PodsOf(string jobName) =>
        Pods.Where(p => p["metadata"]!["labels"]!["batch.kubernetes.io/job-name"]?.GetValue<string>() == jobName).ToList();

    private void Update(string jobName, string log, Action<JsonObject, JsonObject> change)
    {
        lock (gate)
        {
            var job = jobs.Values.Single(j => Name(j) == jobName);
            var (key, pod) = pods.Single(p => p.Value["metadata"]!["labels"]!["batch.kubernetes.io/job-name"]?.GetValue<string>() == jobName);
            change(job, pod);
            logs[key] = log;
        }
    }

    /// <summary>ContainerStateTerminated (v1); message is the termination message (at most 4096 bytes).</summary>
    private static JsonObject Terminated(int exitCode, string reason, string? message, string now)
    {
        var terminated = new JsonObject { ["exitCode"] = exitCode, ["reason"] = reason, ["startedAt"] = now, ["finishedAt"] = now, ["containerID"] = "containerd://abc" };
        if (message is not null) terminated["message"] = message.Length > 4096 ? message[..4096] : message;
        return new JsonObject { ["terminated"] = terminated };
    }

    /// <summary>JobCondition (batch/v1).</summary>
    private static JsonObject Condition(string type, string reason, string message, string now) => new()
    {
        ["type"] = type, ["status"] = "True", ["lastProbeTime"] = now, ["lastTransitionTime"] = now, ["reason"] = reason, ["message"] = message,
    };
}
