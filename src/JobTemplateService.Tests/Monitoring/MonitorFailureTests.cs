using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;

namespace JobTemplateService.Tests;

public sealed class MonitorFailureTests
{
    [Fact]
    public async Task FailingPassIsLoggedAndNextPassContinues()
    {
        var log = new CapturedLog();
        await using var app = await TestApp.StartAsync(services: s => s.AddSingleton<ILogEventSink>(log));
        await app.Database.TemplateAsync("http", "gcs", RunHelpers.TemplateId);
        var launched = await app.Client.LaunchAsync("http", "gcs", "London", "Phoenix");
        app.ControlHub.FailingStatusCalls = 10;

        var checkedInFailingPass = await app.MonitorPassAsync();
        var afterFailure = await app.GetRunAsync(launched.RunId);
        var statusCallsInFailingPass = app.ControlHub.Calls("POST", "/jobs/status").Count;
        app.ControlHub.FailingStatusCalls = 0;
        var run = await app.RunToCompletionAsync(launched.RunId);

        Assert.Equal(2, checkedInFailingPass);
        Assert.Equal(4, statusCallsInFailingPass); // one call and three retries
        Assert.All(afterFailure.Instances, i => Assert.Equal(InstanceStates.Running, i.State));
        Assert.Contains(log.Messages(LogEventLevel.Error), m => m.Contains("failed; they are checked again"));
        Assert.Equal(RunStates.Succeeded, run.State);
        Assert.Equal(2, (await app.Database.MetricsRowsAsync(launched.RunId)).Count);
    }

    [Fact]
    public async Task MonitorFailsInstanceWhoseJobNoLongerExistsOnThePlatform()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.TemplateAsync("http", "gcs", RunHelpers.TemplateId);
        app.ControlHub.NextJobs(JobScript.RunsForever());
        var launched = await app.Client.LaunchAsync("http", "gcs", "London");
        var jobId = launched.Instances[0].PlatformJobId!;
        await app.MonitorPassAsync();

        app.ControlHub.Job(jobId).Deleted = true;
        var run = await app.RunToCompletionAsync(launched.RunId);
        var rows = await app.Database.MetricsRowsAsync(launched.RunId);

        var instance = Assert.Single(run.Instances);
        Assert.Equal((RunStates.Failed, InstanceStates.Failed), (run.State, instance.State));
        Assert.Contains("no longer has job", instance.Error);
        Assert.Contains(jobId, instance.Error);
        var row = Assert.Single(rows);
        Assert.Equal((false, InstanceStates.Failed, instance.Error), (row.SuccessfulRun, row.FinalState, row.ErrorMessage));
        Assert.Empty(app.ControlHub.Calls("DELETE", "/jobrunner/"));
    }
}
