using Microsoft.Extensions.Configuration;

namespace JobTemplateService.Tests;

/// <summary>Job specs in platform.ini [kubernetes] or the YAML file it names, checked at start-up.</summary>
public sealed class KubernetesConfigurationTests
{
    [Fact]
    public async Task JobSpecFromTheYamlFileThatPlatformIniNamesIsWhatTheJobRuns()
    {
        await using var fake = await FakeKubernetes.StartAsync();
        var directory = TestFolders.Create("k8s-config");
        await File.WriteAllTextAsync(Path.Combine(directory, "kubernetes-jobs.yaml"), """
            count-rows:
              image: registry.example.com/etl/from-yaml:2.0
              command: [sh, -c]
              args: ["python3 -m count_rows && echo done"]
              namespace: yaml-ns
              serviceAccount: yaml-runner
              resources:
                requests: {cpu: 100m, memory: 64Mi}
                limits: {memory: 128Mi}
              activeDeadlineSeconds: 600
              backoffLimit: 2
              ttlSecondsAfterFinished: 60
            """);
        await using var app = await TestApp.StartAsync(s =>
        {
            s["ConfigDirectory"] = directory;
            s["kubernetes:kubeconfig"] = fake.KubeconfigPath;
            s["kubernetes:jobs"] = "kubernetes-jobs.yaml";
        });
        await app.Database.KubernetesTemplateAsync();

        var run = await app.LaunchAsync(KubernetesJobs.Body("k8s-yaml"));
        var job = fake.Job(KubernetesJobs.JobName(run.Instances[0].InstanceId));
        var container = job.Container();

        Assert.Equal($"yaml-ns/{KubernetesJobs.JobName(run.Instances[0].InstanceId)}", run.Instances[0].PlatformJobId);
        Assert.Equal("registry.example.com/etl/from-yaml:2.0", container["image"]!.GetValue<string>());
        Assert.Equal(["sh", "-c"], container["command"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Equal("python3 -m count_rows && echo done", container["args"]![0]!.GetValue<string>());
        Assert.Equal(("100m", "128Mi"), (container["resources"]!["requests"]!["cpu"]!.GetValue<string>(),
            container["resources"]!["limits"]!["memory"]!.GetValue<string>()));
        Assert.Equal((600, 2, 60), (job["spec"]!["activeDeadlineSeconds"]!.GetValue<int>(), job["spec"]!["backoffLimit"]!.GetValue<int>(),
            job["spec"]!["ttlSecondsAfterFinished"]!.GetValue<int>()));
        Assert.Equal("yaml-runner", job["spec"]!["template"]!["spec"]!["serviceAccountName"]!.GetValue<string>());
    }

    [Fact]
    public void EveryUnusableJobSpecSettingIsReportedNamingFileSectionAndKey()
    {
        var kubeconfig = Path.GetTempFileName();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["kubernetes:kubeconfig"] = kubeconfig,
            ["kubernetes:no-image.command"] = """["run"]""",
            ["kubernetes:bad.image"] = "busybox:1.36",
            ["kubernetes:bad.namespace"] = "Not_A_Namespace",
            ["kubernetes:bad.requests"] = "cpu=lots",
            ["kubernetes:bad.args"] = "--not-json",
            ["kubernetes:bad.colour"] = "blue",
        }).Build();
        var options = new KubernetesOptions { Kubeconfig = kubeconfig };

        KubernetesJobSpecs.Read(options, configuration);
        var result = new KubernetesOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        Assert.Contains("platform.ini [kubernetes] no-image.image: missing or contains spaces (or set the environment variable kubernetes__no-image.image)", failures);
        Assert.Contains(failures, f => f.StartsWith("platform.ini [kubernetes] bad.namespace: is not a valid namespace name"));
        Assert.Contains(failures, f => f.StartsWith("platform.ini [kubernetes] bad.cpu: 'lots' is not a Kubernetes quantity"));
        Assert.Contains(failures, f => f.StartsWith("platform.ini [kubernetes] bad.args: must be a JSON array of strings"));
        Assert.Contains(failures, f => f.StartsWith("platform.ini [kubernetes] bad.colour: unknown field"));
        File.Delete(kubeconfig);
    }

    [Fact]
    public void PlatformExampleKubernetesSectionIsValidOnceUncommented()
    {
        var kubeconfig = Path.GetTempFileName();
        var lines = File.ReadAllLines(RepositoryFiles.Path("platform.ini.example"))
            .SkipWhile(l => l != ";[kubernetes]").Select(l => l.TrimStart(';'))
            .Where(l => !l.StartsWith("jobs=") && !l.StartsWith("kubeconfig=")).Append($"kubeconfig={kubeconfig}").ToList();
        var values = new Dictionary<string, string?>();
        IniFile.Read("platform.ini", lines, values);
        var options = new KubernetesOptions();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        configuration.GetSection(KubernetesOptions.Section).Bind(options);

        KubernetesJobSpecs.Read(options, configuration);
        var result = new KubernetesOptionsValidator().Validate(null, options);
        File.Delete(kubeconfig);

        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.Equal(["python3", "-m", "count_rows"], options.Specs["count-rows"].Command);
        Assert.Equal("1Gi", options.Specs["count-rows"].Resources.Limits["memory"]);
    }

    [Fact]
    public void KubeconfigThatDoesNotExistOutsideAClusterIsReported()
    {
        var options = new KubernetesOptions { Kubeconfig = "/nonexistent/kubeconfig" };
        options.Specs["job"] = new KubernetesJobSpec { Image = "busybox" };

        var result = new KubernetesOptionsValidator().Validate(null, options);

        Assert.Equal(["platform.ini [kubernetes] kubeconfig: file /nonexistent/kubeconfig does not exist (or set the environment variable kubernetes__kubeconfig)"],
            result.Failures);
    }
}
