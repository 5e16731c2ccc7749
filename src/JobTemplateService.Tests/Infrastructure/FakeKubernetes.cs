using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace JobTemplateService.Tests;

/// <summary>
/// A Kubernetes API server on loopback (Kestrel) holding Jobs, Pods and Secrets in memory and
/// answering with the API's JSON shapes (https://kubernetes.io/docs/reference/kubernetes-api/).
/// Creating a Job starts one pod; tests move it on (Succeed, Fail, CannotStart). Deleting a Job
/// removes its pods and Secrets only with propagationPolicy Background or Foreground, as the
/// garbage collector does; without one, its pods are orphaned and keep running.
/// </summary>
public sealed partial class FakeKubernetes : IAsyncDisposable
{
    public const string Token = "fake-service-account-token";

    private readonly object gate = new();
    private readonly Dictionary<string, JsonObject> jobs = new(), pods = new(), secrets = new();
    private readonly Dictionary<string, string> logs = new();
    private readonly List<(string Namespace, JsonObject Job)> deferred = [];
    private readonly ConcurrentQueue<KubernetesCall> calls = new();
    private readonly WebApplication app;
    private readonly TaskCompletionSource createHold = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool holdNext;
    private int failingReads;
    private int podCounter;

    private FakeKubernetes(WebApplication app) => this.app = app;

    public static async Task<FakeKubernetes> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeKubernetes(app);
        fake.MapRoutes(app);
        await app.StartAsync();
        fake.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.KubeconfigPath = fake.WriteKubeconfig();
        return fake;
    }

    public string Url { get; private set; } = "";

    /// <summary>A kubeconfig file pointing at this server with a bearer token, as the service reads one.</summary>
    public string KubeconfigPath { get; private set; } = "";

    /// <summary>Items per page of a list (the client asks for at most its limit).</summary>
    public int PageSize { get; set; } = 500;

    /// <summary>The next list that presents a continue token gets 410 Expired.</summary>
    public bool ExpireNextContinue { get; set; }

    /// <summary>How many upcoming reads (GET) fail with 503 ServiceUnavailable.</summary>
    public int FailingReads { get => failingReads; set => failingReads = value; }

    /// <summary>What the next Job create does; null = create and answer 201.</summary>
    public Func<string, CreateBehaviour>? OnCreateJob { get; set; }

    /// <summary>Runs once, right after the next list of Jobs is answered.</summary>
    public Action? AfterNextJobList { get; set; }

    public IReadOnlyList<KubernetesCall> Calls => calls.ToList();

    public IReadOnlyList<KubernetesCall> CallsTo(string method, string pathFragment) =>
        calls.Where(c => c.Method == method && c.Path.Contains(pathFragment, StringComparison.Ordinal)).ToList();

    public int JobCreates => CallsTo("POST", "/jobs").Count;

    public IReadOnlyList<JsonObject> Jobs { get { lock (gate) return jobs.Values.Select(j => j.DeepClone().AsObject()).ToList(); } }

    public IReadOnlyList<JsonObject> Pods { get { lock (gate) return pods.Values.Select(p => p.DeepClone().AsObject()).ToList(); } }

    public IReadOnlyList<JsonObject> Secrets { get { lock (gate) return secrets.Values.Select(s => s.DeepClone().AsObject()).ToList(); } }

    public JsonObject Job(string name) { lock (gate) return jobs.Values.Single(j => Name(j) == name).DeepClone().AsObject(); }

    /// <summary>The next create goes through (the Job exists) but its answer waits until <see cref="ReleaseCreate"/>.</summary>
    public void HoldNextCreateAnswer() { lock (gate) holdNext = true; }

    /// <summary>Jobs whose create was answered 500 without creating now appear after all (a write that landed late).</summary>
    public void CreateDeferred()
    {
        lock (gate)
        {
            foreach (var (ns, job) in deferred)
            {
                Stamp(job, ns);
                jobs[Key(ns, Name(job))] = job;
                StartPod(job);
            }
            deferred.Clear();
        }
    }

    public void ReleaseCreate() => createHold.TrySetResult();

    public async Task WaitForJobsAsync(int count, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (Jobs.Count < count)
        {
            Assert.True(DateTime.UtcNow < until, $"Expected {count} Job(s), the fake API server has {Jobs.Count}");
            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }

    public async ValueTask DisposeAsync()
    {
        ReleaseCreate();
        await app.StopAsync();
        await app.DisposeAsync();
        File.Delete(KubeconfigPath);
    }

    private string WriteKubeconfig()
    {
        var path = Path.Combine(TestFolders.Create("kubeconfig"), "kubeconfig.yaml");
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: fake
              cluster:
                server: {Url}
            users:
            - name: jts
              user:
                token: {Token}
            contexts:
            - name: fake
              context:
                cluster: fake
                user: jts
            current-context: fake
            """);
        return path;
    }

    private static string Name(JsonNode o) => o["metadata"]!["name"]!.GetValue<string>();

    private static string Key(string ns, string name) => $"{ns}/{name}";
}

/// <summary>One request the fake API server received.</summary>
public sealed record KubernetesCall(string Method, string Path, IReadOnlyDictionary<string, string> Query, string Body, string? Authorization);

public enum CreateBehaviour { Create, ServerErrorAfterCreating, ServerErrorWithoutCreating, Forbidden }
