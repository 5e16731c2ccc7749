using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;

namespace JobTemplateService.Tests;

/// <summary>How a local process ends early (cancel, max wait), what an unknown command does, and the per-replica process limit.</summary>
public sealed class LocalProcessLifetimeTests
{
    // The job starts a grandchild and reports its pid; every process of the tree inherits JTS_RUN_ID.
    private const string TreeJob = "sleep 300 & echo \"child $!\"; sleep 60";

    [Fact]
    public async Task CancelKillsTheWholeProcessTreeAndEndsCanceledWithinSeconds()
    {
        await using var app = await TestApp.StartAsync(LocalJobs.Command("tree_job", TreeJob));
        await app.Database.LocalTemplateAsync("tree_job");
        var launched = await app.LaunchAsync(LocalJobs.Body("cancel-1"));
        var marker = $"JTS_RUN_ID={launched.RunId}";
        try
        {
            await app.WaitForLogLineAsync(launched.RunId, "child ");
            var treeBefore = ProcessProbe.WithEnvironment(marker);
            // The pid the job printed is its own PID namespace's (as root); the probe sees host pids.
            var child = treeBefore.Single(p => ProcessProbe.CommandLine(p) == "sleep 300");
            var jobTree = treeBefore.Where(p => !ProcessProbe.CommandLine(p).StartsWith(JobAccount.Unshare)).ToList();
            var clock = Stopwatch.StartNew();

            using var cancel = await app.Client.PostAsync($"/v1/runs/{launched.RunId}/cancel", null);
            var run = await app.WaitForRunAsync(launched.RunId);
            var elapsed = clock.Elapsed;
            var treeAfter = await ProcessProbe.WaitUntilGoneAsync(() => ProcessProbe.WithEnvironment(marker), TimeSpan.FromSeconds(2));

            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
            Assert.Equal(3, jobTree.Count); // sh, sleep 60 and the background sleep 300 (not the namespace's wrapper)
            Assert.Equal(RunStates.Canceled, run.State);
            Assert.Equal(InstanceStates.Canceled, Assert.Single(run.Instances).State);
            Assert.True(elapsed < TimeSpan.FromSeconds(10), $"Canceled only after {elapsed.TotalSeconds:0.#} s");
            Assert.Empty(treeAfter);
            Assert.False(ProcessProbe.IsRunning(child));
        }
        finally
        {
            ProcessProbe.KillAllWithEnvironment(marker);
        }
    }

    [Fact]
    public async Task TemplateMaxWaitKillsTheProcessTreeAndEndsTimedOut()
    {
        await using var app = await TestApp.StartAsync(LocalJobs.Command("tree_job", TreeJob));
        await app.Database.LocalTemplateAsync("tree_job", extraColumns: ", max_wait", extraValues: ", interval '1 second'");
        var clock = Stopwatch.StartNew();
        var launched = await app.LaunchAsync(LocalJobs.Body("timeout-1"));
        var marker = $"JTS_RUN_ID={launched.RunId}";
        try
        {
            var run = await app.WaitForRunAsync(launched.RunId);
            var elapsed = clock.Elapsed;
            var treeAfter = await ProcessProbe.WaitUntilGoneAsync(() => ProcessProbe.WithEnvironment(marker), TimeSpan.FromSeconds(2));

            Assert.Equal(RunStates.TimedOut, run.State);
            var instance = Assert.Single(run.Instances);
            Assert.Equal(InstanceStates.TimedOut, instance.State);
            Assert.Contains("max wait", instance.Error);
            Assert.NotNull(instance.Metrics);
            Assert.Equal("TIMED_OUT", await app.Database.ScalarAsync<string>(
                $"SELECT final_state FROM streamsets.job_run_metrics WHERE instance_id = '{instance.InstanceId}'"));
            Assert.True(elapsed < TimeSpan.FromSeconds(15), $"Timed out only after {elapsed.TotalSeconds:0.#} s");
            Assert.Empty(treeAfter);
        }
        finally
        {
            ProcessProbe.KillAllWithEnvironment(marker);
        }
    }

    [Fact]
    public async Task JobThatExitsLeavingABackgroundProcessStillEndsWithinTheTemplatesMaxWait()
    {
        await using var app = await TestApp.StartAsync(LocalJobs.Command("daemon_job", "sleep 40 & echo \"child $!\"; exit 0"));
        await app.Database.LocalTemplateAsync("daemon_job", extraColumns: ", max_wait", extraValues: ", interval '1 second'");
        var launched = await app.LaunchAsync(LocalJobs.Body("daemon-1"));
        try
        {
            // The shell exits at once; its background child keeps the output pipes open for 40 s.
            var run = await app.WaitForRunAsync(launched.RunId, TimeSpan.FromSeconds(15));

            Assert.True(RunStates.IsTerminal(run.State));
            Assert.NotEqual(InstanceStates.Running, Assert.Single(run.Instances).State);
        }
        finally
        {
            ProcessProbe.KillAllWithEnvironment($"JTS_RUN_ID={launched.RunId}");
        }
    }

    [Fact]
    public async Task UnknownCommandNameAnswers502PlatformRejectedAndTheInstanceIsStartFailed()
    {
        await using var app = await TestApp.StartAsync(LocalJobs.Command("known_job", "true"));
        await app.Database.LocalTemplateAsync("missing_job");

        using var response = await app.PostJsonAsync("/v1/runs", LocalJobs.Body("unknown-1"));
        var problem = await response.ReadProblemAsync(HttpStatusCode.BadGateway, "/problems/platform-rejected");
        var runId = await app.Database.ScalarAsync<Guid>("SELECT run_id FROM streamsets.run WHERE user_run_id = 'unknown-1'");
        var run = await app.GetRunAsync(runId);

        Assert.Equal("LOCAL_UNKNOWN_COMMAND", problem.GetProperty("platform-code").GetString());
        Assert.Contains("missing_job", problem.GetProperty("platform-message").GetString());
        Assert.Equal(RunStates.Failed, run.State);
        var instance = Assert.Single(run.Instances);
        Assert.Equal(InstanceStates.StartFailed, instance.State);
        Assert.Contains("LOCAL_UNKNOWN_COMMAND", instance.Error);
        Assert.Null(instance.PlatformJobId);
    }

    [Fact]
    public async Task MaxConcurrentProcessesOfOneRunsTwoInstancesOneAfterTheOther()
    {
        await using var app = await TestApp.StartAsync(LocalJobs.Command("one_second", "echo \"start $JTS_INSTANCE_INDEX\"; sleep 1; echo end",
            settings => settings["LocalPlatform:MaxConcurrentProcesses"] = "1"));
        await app.Database.LocalTemplateAsync("one_second");

        var launched = await app.LaunchAsync(LocalJobs.Body("serial-1", new JsonObject(), new JsonObject()));
        var run = await app.WaitForRunAsync(launched.RunId);

        Assert.Equal(RunStates.Succeeded, run.State);
        var periods = run.Instances.Select(i => (Start: i.Metrics!.StartTime!.Value, Finish: i.Metrics.FinishTime!.Value))
            .OrderBy(p => p.Start).ToList();
        Assert.Equal(2, periods.Count);
        Assert.All(periods, p => Assert.True(p.Finish - p.Start >= TimeSpan.FromSeconds(0.9), $"{p.Start:O} to {p.Finish:O}"));
        Assert.True(periods[0].Finish <= periods[1].Start,
            $"The processes overlapped: {periods[0].Start:O}-{periods[0].Finish:O} and {periods[1].Start:O}-{periods[1].Finish:O}");
    }
}
