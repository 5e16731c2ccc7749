using System.Text.Json.Nodes;

namespace JobTemplateService.Tests;

/// <summary>
/// Kubernetes runs for tests: platform.ini [kubernetes] pointing at a <see cref="FakeKubernetes"/>
/// through a kubeconfig, one inline job spec, a template (k8s → out) naming it, and launch bodies.
/// </summary>
public static class KubernetesJobs
{
    public const string Source = "k8s";
    public const string Target = "out";
    public const string Spec = "count-rows";
    public const string Namespace = "etl-jobs";
    public const string Image = "registry.example.com/etl/count-rows:1.4.2";

    public static Action<Dictionary<string, string?>> Settings(FakeKubernetes fake, Action<Dictionary<string, string?>>? more = null) => settings =>
    {
        settings["kubernetes:kubeconfig"] = fake.KubeconfigPath;
        settings["kubernetes:namespace"] = Namespace;
        settings[$"kubernetes:{Spec}.image"] = Image;
        settings[$"kubernetes:{Spec}.command"] = """["python3", "-m", "count_rows"]""";
        settings[$"kubernetes:{Spec}.args"] = """["--verbose"]""";
        settings[$"kubernetes:{Spec}.service_account"] = "etl-runner";
        settings[$"kubernetes:{Spec}.requests"] = "cpu=250m, memory=256Mi";
        settings[$"kubernetes:{Spec}.limits"] = "cpu=1, memory=1Gi";
        settings[$"kubernetes:{Spec}.active_deadline_seconds"] = "3600";
        settings[$"kubernetes:{Spec}.backoff_limit"] = "1";
        settings[$"kubernetes:{Spec}.ttl_seconds_after_finished"] = "86400";
        settings["KubernetesClient:RetryBaseDelay"] = "00:00:00.010";
        settings["KubernetesClient:ReadTimeout"] = "00:00:30";
        settings["KubernetesClient:WriteTimeout"] = "00:00:30";
        more?.Invoke(settings);
    };

    public static async Task<(TestApp App, FakeKubernetes Fake)> StartAsync(Action<Dictionary<string, string?>>? more = null,
        string extraColumns = "", string extraValues = "", bool deleteAfterCompletion = false)
    {
        var fake = await FakeKubernetes.StartAsync();
        var app = await TestApp.StartAsync(Settings(fake, more));
        await app.Database.KubernetesTemplateAsync(extraColumns, extraValues, deleteAfterCompletion);
        return (app, fake);
    }

    /// <summary>The rule k8s → out and a kubernetes template naming the job spec, with a static parameter.</summary>
    public static Task KubernetesTemplateAsync(this TestDatabase database, string extraColumns = "", string extraValues = "",
        bool deleteAfterCompletion = false) =>
        database.TemplateAsync(Source, Target, templateId: Spec, sourceParameters: """{"TARGET_TABLE": "daily_counts"}""",
            extraColumns: ", platform" + extraColumns, extraValues: ", 'kubernetes'" + extraValues, deleteAfterCompletion: deleteAfterCompletion);

    public static JsonObject Body(string userRunId = "k8s-1", params JsonObject[] sets) =>
        LaunchBodies.Body(userRunId, source: Source, target: Target, sets: sets.Length == 0 ? [new JsonObject { ["CITY"] = "London" }] : sets);

    /// <summary>The Job name the service gives an instance.</summary>
    public static string JobName(Guid instanceId) => $"jts-{instanceId:N}";

    public static JsonObject Container(this JsonObject job) => job["spec"]!["template"]!["spec"]!["containers"]![0]!.AsObject();

    public static Dictionary<string, JsonNode?> Env(this JsonObject job) =>
        job.Container()["env"]!.AsArray().ToDictionary(e => e!["name"]!.GetValue<string>(), e => e!["value"] ?? e!["valueFrom"]);
}
