using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace JobTemplateService.Tests;

/// <summary>What a kubernetes template creates: one labelled Job per instance from the job spec, secrets only in an owned Secret.</summary>
public sealed class KubernetesLaunchTests
{
    [Fact]
    public async Task LaunchCreatesOneJobPerInstanceNamedFromItsInstanceIdWithTheJobSpecAndParametersAsEnvironment()
    {
        var (app, fake) = await KubernetesJobs.StartAsync();
        await using var _ = app;
        await using var __ = fake;

        var run = await app.LaunchAsync(KubernetesJobs.Body("k8s-launch", new JsonObject { ["CITY"] = "London" }, new JsonObject { ["CITY"] = "Phoenix" }));

        Assert.Equal(RunStates.Running, run.State);
        Assert.Equal(2, fake.JobCreates);
        Assert.All(fake.Calls, c => Assert.Equal($"Bearer {FakeKubernetes.Token}", c.Authorization));
        foreach (var instance in run.Instances)
        {
            var name = KubernetesJobs.JobName(instance.InstanceId);
            var job = fake.Job(name);
            var container = job.Container();
            var env = job.Env();
            Assert.Equal((InstanceStates.Running, $"{KubernetesJobs.Namespace}/{name}"), (instance.State, instance.PlatformJobId));
            Assert.True(name.Length <= 63);
            Assert.Equal(KubernetesJobs.Namespace, job["metadata"]!["namespace"]!.GetValue<string>());
            Assert.Equal(run.RunId.ToString(), job["metadata"]!["labels"]!["jobtemplateservice/run-id"]!.GetValue<string>());
            Assert.Equal(instance.InstanceId.ToString(), job["metadata"]!["labels"]!["jobtemplateservice/instance-id"]!.GetValue<string>());
            Assert.Equal(KubernetesJobs.Image, container["image"]!.GetValue<string>());
            Assert.Equal(["python3", "-m", "count_rows"], container["command"]!.AsArray().Select(c => c!.GetValue<string>()));
            Assert.Equal(["--verbose"], container["args"]!.AsArray().Select(c => c!.GetValue<string>()));
            Assert.Equal("FallbackToLogsOnError", container["terminationMessagePolicy"]!.GetValue<string>());
            Assert.Equal(("250m", "1Gi"), (container["resources"]!["requests"]!["cpu"]!.GetValue<string>(), container["resources"]!["limits"]!["memory"]!.GetValue<string>()));
            Assert.Equal((1, 3600, 86400), (job["spec"]!["backoffLimit"]!.GetValue<int>(), job["spec"]!["activeDeadlineSeconds"]!.GetValue<int>(),
                job["spec"]!["ttlSecondsAfterFinished"]!.GetValue<int>()));
            Assert.Equal(("Never", "etl-runner"), (job["spec"]!["template"]!["spec"]!["restartPolicy"]!.GetValue<string>(),
                job["spec"]!["template"]!["spec"]!["serviceAccountName"]!.GetValue<string>()));
            Assert.Equal(instance.Parameters["CITY"], env["CITY"]!.GetValue<string>());
            Assert.Equal("daily_counts", env["TARGET_TABLE"]!.GetValue<string>());
            Assert.Equal((run.RunId.ToString(), instance.InstanceId.ToString()), (env["JTS_RUN_ID"]!.GetValue<string>(), env["JTS_INSTANCE_ID"]!.GetValue<string>()));
        }
    }

    [Fact]
    public async Task SecretParametersGoIntoASecretOwnedByTheJobAndNeverIntoTheJobSpec()
    {
        const string password = "s3cr3t-Value-no-one-may-see";
        var (app, fake) = await KubernetesJobs.StartAsync();
        await using var _ = app;
        await using var __ = fake;

        var run = await app.LaunchAsync(KubernetesJobs.Body("k8s-secret", new JsonObject { ["CITY"] = "London", ["DB_PASSWORD"] = password }));
        var name = KubernetesJobs.JobName(run.Instances[0].InstanceId);
        var job = fake.Job(name);
        var secret = Assert.Single(fake.Secrets);

        Assert.DoesNotContain(password, string.Concat(fake.CallsTo("POST", "/jobs").Select(c => c.Body)));
        Assert.Equal($"{name}-params", job.Env()["DB_PASSWORD"]!["secretKeyRef"]!["name"]!.GetValue<string>());
        Assert.Equal("DB_PASSWORD", job.Env()["DB_PASSWORD"]!["secretKeyRef"]!["key"]!.GetValue<string>());
        var owner = Assert.Single(secret["metadata"]!["ownerReferences"]!.AsArray())!;
        Assert.Equal(("Job", name, job["metadata"]!["uid"]!.GetValue<string>()),
            (owner["kind"]!.GetValue<string>(), owner["name"]!.GetValue<string>(), owner["uid"]!.GetValue<string>()));
        Assert.Equal(password, Encoding.UTF8.GetString(Convert.FromBase64String(secret["data"]!["DB_PASSWORD"]!.GetValue<string>())));
        Assert.Equal(SecretMasker.Mask, run.Instances[0].Parameters["DB_PASSWORD"]);
    }

    [Fact]
    public async Task ParameterNamedLikeARuntimeVariableIsRefusedWithoutCreatingAnything()
    {
        var (app, fake) = await KubernetesJobs.StartAsync();
        await using var _ = app;
        await using var __ = fake;

        using var response = await app.PostJsonAsync("/v1/runs", KubernetesJobs.Body("k8s-ld", new JsonObject { ["LD_PRELOAD"] = "/tmp/x.so" }));

        var problem = await response.ReadProblemAsync(HttpStatusCode.UnprocessableEntity, "/problems/parameters");
        Assert.Equal(["runtime-parameters[0].LD_PRELOAD"], problem.ErrorKeys());
        Assert.Equal(0, fake.JobCreates);
    }

    [Fact]
    public async Task CreateRefusedByTheApiAnswers502AndDeletesTheJobsTheLaunchAlreadyMade()
    {
        var (app, fake) = await KubernetesJobs.StartAsync();
        await using var _ = app;
        await using var __ = fake;
        var creates = 0;
        fake.OnCreateJob = _ => Interlocked.Increment(ref creates) == 2 ? CreateBehaviour.Forbidden : CreateBehaviour.Create;

        using var response = await app.PostJsonAsync("/v1/runs",
            KubernetesJobs.Body("k8s-quota", new JsonObject { ["CITY"] = "London" }, new JsonObject { ["CITY"] = "Phoenix" }));

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadGateway, "/problems/platform-rejected");
        Assert.Equal("Forbidden", problem.GetProperty("platform-code").GetString());
        Assert.Contains("exceeded quota", problem.GetProperty("platform-message").GetString());
        Assert.Empty(fake.Jobs);
        Assert.Empty(fake.Pods);
        Assert.Equal("Background", JsonNode.Parse(Assert.Single(fake.CallsTo("DELETE", "/jobs/")).Body)!["propagationPolicy"]!.GetValue<string>());
    }

    [Fact]
    public async Task TemplateNamingAJobSpecThatIsNotConfiguredAnswers502NamingIt()
    {
        var (app, fake) = await KubernetesJobs.StartAsync();
        await using var _ = app;
        await using var __ = fake;
        await app.Database.ExecuteAsync("UPDATE streamsets.job_template SET sch_job_template_id = 'no-such-spec' WHERE platform = 'kubernetes'", new { });

        using var response = await app.PostJsonAsync("/v1/runs", KubernetesJobs.Body("k8s-unknown"));

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadGateway, "/problems/platform-rejected");
        Assert.Equal("KUBERNETES_UNKNOWN_JOB_SPEC", problem.GetProperty("platform-code").GetString());
        Assert.Contains("no-such-spec", problem.GetProperty("platform-message").GetString());
        Assert.Equal(0, fake.JobCreates);
    }
}
