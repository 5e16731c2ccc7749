using System.Text.Json.Nodes;

namespace JobTemplateService.Tests;

/// <summary>What a local job gets (environment) and how its exit code and metrics line become the instance's outcome.</summary>
public sealed class LocalPlatformTests
{
    private const string LeakName = "JTS_TEST_SHOULD_NOT_LEAK";

    [Fact]
    public async Task JobGetsMergedParametersAndRunIdsAsEnvironmentButNotTheServicesOwnEnvironment()
    {
        var leak = $"leak-{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(LeakName, leak);
        await using var app = await TestApp.StartAsync(LocalJobs.Command("print_env", "env; echo \"cwd=$(pwd)\""));
        await app.Database.LocalTemplateAsync("print_env", sourceParameters: """{"STATIC_SETTING": "from-template"}""");

        var launched = await app.LaunchAsync(LocalJobs.Body("env-1", new JsonObject { ["CITY"] = "Lon don" }));
        var run = await app.WaitForRunAsync(launched.RunId);
        var lines = (await app.ReadLogAsync(run.RunId)).Lines.Select(l => l.Text).ToList();
        var environment = lines.Where(l => l.Contains('=') && !l.StartsWith("cwd=", StringComparison.Ordinal))
            .Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);

        var instance = Assert.Single(run.Instances);
        Assert.Equal(InstanceStates.Succeeded, instance.State);
        Assert.Equal("Lon don", environment["CITY"]);
        Assert.Equal("from-template", environment["STATIC_SETTING"]);
        Assert.Equal(run.RunId.ToString(), environment["JTS_RUN_ID"]);
        Assert.Equal(instance.InstanceId.ToString(), environment["JTS_INSTANCE_ID"]);
        Assert.Equal("0", environment["JTS_INSTANCE_INDEX"]);
        Assert.DoesNotContain(LeakName, environment.Keys);
        Assert.DoesNotContain(lines, l => l.Contains(leak, StringComparison.Ordinal));
        string[] allowed = ["PATH", "HOME", "LANG", "TZ", "TMPDIR", "PWD", "CITY", "STATIC_SETTING", "JTS_RUN_ID", "JTS_INSTANCE_ID", "JTS_INSTANCE_INDEX"];
        Assert.Empty(environment.Keys.Except(allowed));
        Assert.Contains($"cwd={LocalJobs.WorkingDirectory}", lines);
    }

    [Fact]
    public async Task ExitCodeZeroSucceedsWithTheCountsOfTheLastMetricsLine()
    {
        await using var app = await TestApp.StartAsync(LocalJobs.Command("echo_job",
            "echo hello; echo \"JTS_METRICS input=1 output=1 errors=0\"; echo \"JTS_METRICS errors=1 input=5 output=4\"; echo bye"));
        await app.Database.LocalTemplateAsync("echo_job");

        var launched = await app.LaunchAsync(LocalJobs.Body("metrics-1"));
        var run = await app.WaitForRunAsync(launched.RunId);

        Assert.Equal(RunStates.Succeeded, run.State);
        var instance = Assert.Single(run.Instances);
        Assert.Equal((InstanceStates.Succeeded, (string?)null), (instance.State, instance.Error));
        Assert.Equal(launched.Instances[0].PlatformJobId, instance.PlatformJobId);
        Assert.Equal($"local:{instance.InstanceId}", instance.PlatformJobId);
        Assert.NotNull(instance.Metrics);
        Assert.True(instance.Metrics.SuccessfulRun);
        Assert.Equal((5L, 4L, 1L), (instance.Metrics.InputRecordCount, instance.Metrics.OutputRecordCount, instance.Metrics.ErrorRecordCount));
        Assert.Equal(1L, await app.Database.ScalarAsync<long>(
            $"SELECT count(*) FROM streamsets.job_run_metrics WHERE run_id = '{run.RunId}' AND input_record_count = 5 AND final_state = 'SUCCEEDED'"));
    }

    [Fact]
    public async Task NonZeroExitFailsNamingTheCodeAndTheLastStderrLine()
    {
        await using var app = await TestApp.StartAsync(LocalJobs.Command("failing_job",
            "echo working; echo 'first problem' >&2; echo 'the real problem' >&2; echo 'more output'; exit 7"));
        await app.Database.LocalTemplateAsync("failing_job");

        var launched = await app.LaunchAsync(LocalJobs.Body("fail-1"));
        var run = await app.WaitForRunAsync(launched.RunId);

        Assert.Equal(RunStates.Failed, run.State);
        var instance = Assert.Single(run.Instances);
        Assert.Equal(InstanceStates.Failed, instance.State);
        Assert.Equal("Exited with code 7: the real problem", instance.Error);
        Assert.NotNull(instance.Metrics);
        Assert.False(instance.Metrics.SuccessfulRun);
        Assert.Equal("Exited with code 7: the real problem", instance.Metrics.ErrorMessage);
        Assert.Equal((null, null, null), (instance.Metrics.InputRecordCount, instance.Metrics.OutputRecordCount, instance.Metrics.ErrorRecordCount));
    }

    [Fact]
    public async Task SucceedingJobWithoutAMetricsLineHasAMetricsRowWithoutCounts()
    {
        await using var app = await TestApp.StartAsync(LocalJobs.Command("quiet_job", "echo 'input=5 output=4 (not a metrics line)'"));
        await app.Database.LocalTemplateAsync("quiet_job");

        var launched = await app.LaunchAsync(LocalJobs.Body("quiet-1"));
        var run = await app.WaitForRunAsync(launched.RunId);

        var instance = Assert.Single(run.Instances);
        Assert.Equal(InstanceStates.Succeeded, instance.State);
        Assert.NotNull(instance.Metrics);
        Assert.True(instance.Metrics.SuccessfulRun);
        Assert.Equal((null, null, null), (instance.Metrics.InputRecordCount, instance.Metrics.OutputRecordCount, instance.Metrics.ErrorRecordCount));
        Assert.NotNull(instance.Metrics.StartTime);
        Assert.NotNull(instance.Metrics.FinishTime);
    }
}
