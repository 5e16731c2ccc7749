using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace JobTemplateService.Tests;

/// <summary>The API's object shapes: Status, lists, object metadata, a Job's pod and its status.</summary>
public sealed partial class FakeKubernetes
{
    /// <summary>Status (meta/v1): https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/status/</summary>
    private static JsonObject Status(int code, string reason, string message, string? name = null, string? kind = null, string? group = null)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Failure",
            ["message"] = message, ["reason"] = reason, ["code"] = code,
        };
        if (name is not null) status["details"] = new JsonObject { ["name"] = name, ["group"] = group ?? "", ["kind"] = kind };
        return status;
    }

    /// <summary>
    /// A list (JobList batch/v1, PodList v1): items matching labelSelector, paged by limit and
    /// continue (ListMeta: https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/list-meta/).
    /// An expired continue token answers 410 Expired.
    /// </summary>
    private IResult List(string ns, HttpContext http, Dictionary<string, JsonObject> store, string kind, string apiVersion)
    {
        var selector = http.Request.Query["labelSelector"].ToString();
        var start = int.TryParse(http.Request.Query["continue"], out var c) ? c : 0;
        if (start > 0 && ExpireNextContinue)
        {
            ExpireNextContinue = false;
            return Json(Status(410, "Expired", "The provided continue parameter is too old to display a consistent list result."));
        }
        var size = Math.Min(PageSize, int.TryParse(http.Request.Query["limit"], out var limit) && limit > 0 ? limit : int.MaxValue);
        lock (gate)
        {
            var matching = store.Where(p => p.Key.StartsWith(ns + "/", StringComparison.Ordinal) && Selects(selector, p.Value))
                .OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value).ToList();
            var page = matching.Skip(start).Take(size).Select(i => i.DeepClone()).ToArray();
            var more = start + size < matching.Count;
            return Json(new JsonObject
            {
                ["kind"] = kind, ["apiVersion"] = apiVersion,
                ["metadata"] = new JsonObject { ["resourceVersion"] = "4711", ["continue"] = more ? (start + size).ToString() : null },
                ["items"] = new JsonArray(page),
            });
        }
    }

    /// <summary>Label selectors as the API reads them: key=value and key in (a,b), comma-separated.</summary>
    private static bool Selects(string selector, JsonObject item)
    {
        var labels = item["metadata"]?["labels"]?.AsObject();
        string? Label(string key) => labels?[key]?.GetValue<string>();
        var requirements = new List<string>();
        var depth = 0;
        var current = "";
        foreach (var ch in selector)
        {
            depth += ch == '(' ? 1 : ch == ')' ? -1 : 0;
            if (ch == ',' && depth == 0) { requirements.Add(current); current = ""; } else current += ch;
        }
        if (current.Trim().Length > 0) requirements.Add(current);
        return requirements.All(r =>
        {
            var inAt = r.IndexOf(" in (", StringComparison.Ordinal);
            if (inAt > 0) return r[(inAt + 5)..].TrimEnd(')', ' ').Split(',').Select(v => v.Trim()).Contains(Label(r[..inAt].Trim()));
            var parts = r.Split('=', 2);
            return parts.Length == 2 && Label(parts[0].Trim()) == parts[1].Trim();
        });
    }

    /// <summary>ObjectMeta (meta/v1) fields the server sets.</summary>
    private static void Stamp(JsonObject o, string ns)
    {
        var metadata = o["metadata"]!.AsObject();
        metadata["namespace"] = ns;
        metadata["uid"] = Guid.NewGuid().ToString();
        metadata["resourceVersion"] = "1";
        metadata["creationTimestamp"] = Time(DateTime.UtcNow);
    }

    /// <summary>The Job controller's pod (Pod v1: https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/), Running.</summary>
    private void StartPod(JsonObject job)
    {
        var ns = job["metadata"]!["namespace"]!.GetValue<string>();
        var name = $"{Name(job)}-{Interlocked.Increment(ref podCounter):x5}";
        var labels = job["spec"]!["template"]!["metadata"]!["labels"]!.DeepClone().AsObject();
        labels["batch.kubernetes.io/job-name"] = Name(job);
        var spec = job["spec"]!["template"]!["spec"]!.DeepClone().AsObject();
        spec["nodeName"] = "node-1";
        var pod = new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "Pod",
            ["metadata"] = new JsonObject
            {
                ["name"] = name, ["labels"] = labels,
                ["ownerReferences"] = new JsonArray(new JsonObject
                {
                    ["apiVersion"] = "batch/v1", ["kind"] = "Job", ["name"] = Name(job), ["uid"] = job["metadata"]!["uid"]!.GetValue<string>(),
                    ["controller"] = true, ["blockOwnerDeletion"] = true,
                }),
            },
            ["spec"] = spec,
        };
        Stamp(pod, ns);
        SetPod(pod, "Running", new JsonObject { ["running"] = new JsonObject { ["startedAt"] = Time(DateTime.UtcNow) } });
        pods[Key(ns, name)] = pod;
        // JobStatus (batch/v1): https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/job-v1/#JobStatus
        job["status"] = new JsonObject { ["startTime"] = Time(DateTime.UtcNow), ["active"] = 1, ["ready"] = 1 };
    }

    /// <summary>PodStatus (v1) with one ContainerStatus named "job" in the given state.</summary>
    private static void SetPod(JsonObject pod, string phase, JsonObject state, JsonArray? conditions = null)
    {
        pod["status"] = new JsonObject
        {
            ["phase"] = phase, ["hostIP"] = "10.0.0.1", ["podIP"] = "10.244.0.7", ["startTime"] = pod["metadata"]!["creationTimestamp"]!.DeepClone(),
            ["conditions"] = conditions ?? new JsonArray(new JsonObject { ["type"] = "PodScheduled", ["status"] = "True", ["lastTransitionTime"] = Time(DateTime.UtcNow) }),
            ["containerStatuses"] = new JsonArray(new JsonObject
            {
                ["name"] = "job", ["state"] = state, ["ready"] = phase == "Running", ["restartCount"] = 0,
                ["image"] = pod["spec"]!["containers"]![0]!["image"]!.DeepClone(), ["imageID"] = "",
            }),
        };
    }

    private static string Time(DateTime t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
}
