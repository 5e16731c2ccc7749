using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace JobTemplateService.Tests;

/// <summary>The API paths the service uses, as the API server serves them.</summary>
public sealed partial class FakeKubernetes
{
    private void MapRoutes(WebApplication web)
    {
        web.Use(async (context, next) =>
        {
            context.Request.EnableBuffering();
            var body = await new StreamReader(context.Request.Body, Encoding.UTF8, leaveOpen: true).ReadToEndAsync();
            context.Request.Body.Position = 0;
            calls.Enqueue(new KubernetesCall(context.Request.Method, context.Request.Path.Value ?? "",
                context.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString()), body, context.Request.Headers.Authorization.ToString()));
            if (context.Request.Headers.Authorization.ToString() != $"Bearer {Token}")
            {
                await Write(context, Status(401, "Unauthorized", "Unauthorized"));
                return;
            }
            if (context.Request.Method == "GET" && Interlocked.Decrement(ref failingReads) >= 0)
            {
                await Write(context, Status(503, "ServiceUnavailable", "the server is currently unable to handle the request"));
                return;
            }
            await next(context);
        });
        web.MapPost("/apis/batch/v1/namespaces/{ns}/jobs", (Func<string, HttpContext, Task<IResult>>)CreateJobAsync);
        web.MapGet("/apis/batch/v1/namespaces/{ns}/jobs", (string ns, HttpContext http) =>
        {
            var answer = List(ns, http, jobs, "JobList", "batch/v1");
            var after = AfterNextJobList;
            AfterNextJobList = null;
            after?.Invoke();
            return answer;
        });
        web.MapGet("/apis/batch/v1/namespaces/{ns}/jobs/{name}", (string ns, string name) => Read(jobs, ns, name, "jobs", "batch"));
        web.MapDelete("/apis/batch/v1/namespaces/{ns}/jobs/{name}", (Func<string, string, HttpContext, Task<IResult>>)DeleteJobAsync);
        web.MapGet("/api/v1/namespaces/{ns}/pods", (string ns, HttpContext http) => List(ns, http, pods, "PodList", "v1"));
        web.MapGet("/api/v1/namespaces/{ns}/pods/{name}/log", (string ns, string name, HttpContext http) =>
        {
            lock (gate)
            {
                if (!pods.ContainsKey(Key(ns, name))) return Json(Status(404, "NotFound", $"pods \"{name}\" not found", name, "pods"));
                var lines = (logs.GetValueOrDefault(Key(ns, name)) ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries);
                if (int.TryParse(http.Request.Query["tailLines"], out var tail)) lines = lines.TakeLast(tail).ToArray();
                return Results.Text(string.Concat(lines.Select(l => l + "\n")), "text/plain");
            }
        });
        web.MapPost("/api/v1/namespaces/{ns}/secrets", (string ns, JsonObject secret) => CreateSecret(ns, secret));
        web.MapGet("/api/v1/namespaces/{ns}/secrets/{name}", (string ns, string name) => Read(secrets, ns, name, "secrets", ""));
        web.MapFallback(() => Json(Status(404, "NotFound", "the server could not find the requested resource")));
    }

    private async Task<IResult> CreateJobAsync(string ns, HttpContext http)
    {
        var job = (await JsonNode.ParseAsync(http.Request.Body))!.AsObject();
        var name = Name(job);
        var behaviour = OnCreateJob?.Invoke(name) ?? CreateBehaviour.Create;
        if (behaviour == CreateBehaviour.Forbidden)
            return Json(Status(403, "Forbidden", $"jobs.batch \"{name}\" is forbidden: exceeded quota: jobs, requested: count/jobs.batch=1", name, "jobs", "batch"));
        if (behaviour == CreateBehaviour.ServerErrorWithoutCreating)
        {
            lock (gate) deferred.Add((ns, job));
            return Json(Status(500, "InternalError", "etcdserver: request timed out"));
        }
        TaskCompletionSource? hold;
        lock (gate)
        {
            if (jobs.ContainsKey(Key(ns, name)))
                return Json(Status(409, "AlreadyExists", $"jobs.batch \"{name}\" already exists", name, "jobs", "batch"));
            Stamp(job, ns);
            job["status"] = new JsonObject();
            jobs[Key(ns, name)] = job;
            StartPod(job);
            hold = holdNext ? createHold : null;
            holdNext = false;
        }
        if (hold is not null) await hold.Task;
        return behaviour == CreateBehaviour.ServerErrorAfterCreating
            ? Json(Status(500, "InternalError", "etcdserver: leader changed"))
            : Json(job.DeepClone(), 201);
    }

    private IResult CreateSecret(string ns, JsonObject secret)
    {
        lock (gate)
        {
            var name = Name(secret);
            if (secrets.ContainsKey(Key(ns, name)))
                return Json(Status(409, "AlreadyExists", $"secrets \"{name}\" already exists", name, "secrets"));
            Stamp(secret, ns);
            // Secret (v1): stringData is write-only; the server stores it base64-encoded under data.
            var data = secret["data"]?.AsObject() ?? new JsonObject();
            foreach (var (key, value) in secret["stringData"]?.AsObject() ?? [])
                data[key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(value!.GetValue<string>()));
            secret.Remove("stringData");
            secret["data"] = data;
            secrets[Key(ns, name)] = secret;
            return Json(secret.DeepClone(), 201);
        }
    }

    private async Task<IResult> DeleteJobAsync(string ns, string name, HttpContext http)
    {
        var text = await new StreamReader(http.Request.Body).ReadToEndAsync();
        var body = string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text);
        // DeleteOptions (meta/v1): propagationPolicy in the body or the query; none means Orphan for batch/v1 Jobs.
        var policy = body?["propagationPolicy"]?.GetValue<string>() ?? http.Request.Query["propagationPolicy"].FirstOrDefault() ?? "Orphan";
        lock (gate)
        {
            if (!jobs.Remove(Key(ns, name), out var job)) return Json(Status(404, "NotFound", $"jobs.batch \"{name}\" not found", name, "jobs", "batch"));
            var uid = job["metadata"]!["uid"]!.GetValue<string>();
            foreach (var store in new[] { pods, secrets })
            {
                foreach (var (key, owned) in store.Where(o => Owners(o.Value).Contains(uid)).ToList())
                {
                    if (policy is "Background" or "Foreground") store.Remove(key);
                    else owned["metadata"]!.AsObject().Remove("ownerReferences");
                }
            }
            return Json(job.DeepClone());
        }
    }

    private IResult Read(Dictionary<string, JsonObject> store, string ns, string name, string kind, string group)
    {
        lock (gate)
        {
            return store.TryGetValue(Key(ns, name), out var item) ? Json(item.DeepClone())
                : Json(Status(404, "NotFound", $"{kind}{(group.Length > 0 ? "." + group : "")} \"{name}\" not found", name, kind, group));
        }
    }

    private static IEnumerable<string> Owners(JsonObject o) =>
        o["metadata"]?["ownerReferences"]?.AsArray().Select(r => r!["uid"]!.GetValue<string>()) ?? [];

    private static IResult Json(JsonNode body, int? status = null) =>
        Results.Content(body.ToJsonString(), "application/json", Encoding.UTF8, status ?? body["code"]?.GetValue<int>() ?? 200);

    private static Task Write(HttpContext context, JsonObject status)
    {
        context.Response.StatusCode = status["code"]!.GetValue<int>();
        return context.Response.WriteAsync(status.ToJsonString());
    }
}
