using Microsoft.Extensions.Configuration;

namespace JobTemplateService.Tests;

/// <summary>deploy/kubernetes, built offline with kubectl kustomize: what running the service on Kubernetes relies on.</summary>
public sealed class DeployManifestTests
{
    private const string Namespace = "jobtemplateservice";

    [Fact]
    public void EveryObjectHasKindApiVersionAndNameAndLivesInTheServicesNamespace()
    {
        var objects = Manifests.All;

        Assert.Equal(["ConfigMap", "ConfigMap", "Deployment", "Job", "Namespace", "PodDisruptionBudget", "Role", "RoleBinding", "Service", "ServiceAccount"],
            objects.Select(o => (string)o["kind"]).Order());
        Assert.All(objects, o => Assert.False(string.IsNullOrEmpty((string)o["apiVersion"])));
        Assert.All(objects.Where(o => (string)o["kind"] != "Namespace"), o => Assert.Equal(Namespace, Manifests.Map(o, "metadata")["namespace"]));
    }

    [Fact]
    public async Task DeploymentProbesTheHealthEndpointsReadsItsSecretAndWaitsLongEnoughToHandLeasesBack()
    {
        await using var app = await TestApp.StartAsync();
        var shutdown = app.Service<Microsoft.Extensions.Options.IOptions<Microsoft.Extensions.Hosting.HostOptions>>().Value.ShutdownTimeout;
        var pod = Manifests.Map(Manifests.Single("Deployment"), "spec", "template", "spec");
        var container = (Dictionary<object, object>)Manifests.List(pod, "containers").Single();
        var envFrom = Manifests.List(container, "envFrom").Cast<Dictionary<object, object>>().ToList();
        var settings = Manifests.Map(Manifests.Single("ConfigMap", "jobtemplateservice-settings"), "data");

        Assert.Equal("/health/live", Manifests.Map(container, "livenessProbe", "httpGet")["path"]);
        Assert.Equal("/health/ready", Manifests.Map(container, "readinessProbe", "httpGet")["path"]);
        Assert.Contains(envFrom, e => e.TryGetValue("secretRef", out var s) && (string)((Dictionary<object, object>)s)["name"] == "jobtemplateservice-config");
        Assert.Equal("false", settings["Database__MigrateOnStartup"]);
        Assert.True(int.Parse((string)pod["terminationGracePeriodSeconds"]) >= shutdown.TotalSeconds + 5 + 10,
            "terminationGracePeriodSeconds must cover the preStop sleep, the host's shutdown timeout and a margin");
        Assert.All(new[] { "requests", "limits" }, k => Assert.NotEmpty(Manifests.Map(container, "resources", k)));
        Assert.Equal("jobtemplateservice", pod["serviceAccountName"]);
        Assert.Equal("/metrics", Manifests.Map(Manifests.Single("Deployment"), "spec", "template", "metadata", "annotations")["prometheus.io/path"]);
    }

    [Fact]
    public void RoleAllowsOnlyJobsPodsPodLogsAndSecretsInItsNamespaceToTheServicesAccount()
    {
        var rules = Manifests.List(Manifests.Single("Role"), "rules").Cast<Dictionary<object, object>>().ToList();
        var binding = Manifests.Single("RoleBinding");

        Assert.Equal(["jobs", "pods", "pods/log", "secrets"], rules.SelectMany(r => Manifests.List(r, "resources")).Cast<string>().Order());
        Assert.DoesNotContain("*", rules.SelectMany(r => Manifests.List(r, "verbs")).Cast<string>());
        Assert.Equal("Role", Manifests.Map(binding, "roleRef")["kind"]);
        var subject = (Dictionary<object, object>)Manifests.List(binding, "subjects").Single();
        Assert.Equal(("ServiceAccount", "jobtemplateservice"), ((string)subject["kind"], (string)subject["name"]));
    }

    [Fact]
    public void MigrateJobRunsTheMigrateVerbAndIsAppliedBeforeTheRolloutWithItsConfiguration()
    {
        var job = Manifests.Single("Job", "jobtemplateservice-migrate");
        var container = (Dictionary<object, object>)Manifests.List(job, "spec", "template", "spec", "containers").Single();
        string Phase(Dictionary<object, object> o) => (string)Manifests.Map(o, "metadata", "labels").GetValueOrDefault("jobtemplateservice/phase", "");

        Assert.Equal(["dotnet", "JobTemplateService.dll", "migrate"], Manifests.List(container, "command").Cast<string>());
        Assert.Equal("pre-rollout", Phase(job));
        Assert.All(Manifests.All.Where(o => (string)o["kind"] == "ConfigMap"), c => Assert.Equal("pre-rollout", Phase(c)));
        Assert.Equal("", Phase(Manifests.Single("Deployment")));
    }

    [Fact]
    public void DisruptionBudgetServiceAndServiceMonitorSelectTheDeploymentsPods()
    {
        var podLabels = Manifests.Map(Manifests.Single("Deployment"), "spec", "template", "metadata", "labels");
        var service = Manifests.Single("Service");
        var monitor = Manifests.Parse(File.ReadAllText(RepositoryFiles.Path("deploy", "kubernetes", "servicemonitor.yaml"))).Single();

        Assert.All(Manifests.Map(Manifests.Single("PodDisruptionBudget"), "spec", "selector", "matchLabels"), l => Assert.Equal(podLabels[l.Key], l.Value));
        Assert.All(Manifests.Map(service, "spec", "selector"), l => Assert.Equal(podLabels[l.Key], l.Value));
        Assert.All(Manifests.Map(monitor, "spec", "selector", "matchLabels"), l => Assert.Equal(Manifests.Map(service, "metadata", "labels")[l.Key], l.Value));
        var endpoint = (Dictionary<object, object>)Manifests.List(monitor, "spec", "endpoints").Single();
        Assert.Equal(("http", "/metrics"), ((string)endpoint["port"], (string)endpoint["path"]));
        Assert.Equal("http", ((Dictionary<object, object>)Manifests.List(service, "spec", "ports").Single())["name"]);
    }

    [Fact]
    public void ShippedJobSpecsPassTheServicesOwnStartupValidation()
    {
        var kubeconfig = Path.GetTempFileName();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConfigDirectory"] = RepositoryFiles.Path("deploy", "kubernetes"),
            ["kubernetes:jobs"] = "kubernetes-jobs.yaml",
        }).Build();
        var options = new KubernetesOptions { Kubeconfig = kubeconfig, Jobs = "kubernetes-jobs.yaml" };

        KubernetesJobSpecs.Read(options, configuration);
        var result = new KubernetesOptionsValidator().Validate(null, options);
        File.Delete(kubeconfig);

        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.Equal("busybox:1.36", options.Specs["count-rows"].Image);
    }
}
