using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;

namespace JobTemplateService.Tests;

public sealed class StatementCancellationTests
{
    /// <summary>
    /// A Dapper grid reader disposed with result sets unread cancels its command: Npgsql opens a new
    /// connection for every such cancel, and one that arrives mid-batch aborts the batch. Launching,
    /// cancelling and recording a completion must read every result set of their batches instead.
    /// </summary>
    [Fact]
    public async Task LaunchCancelAndCompletionSendNoCancelRequests()
    {
        var log = new CapturedLog();
        await using var app = await TestApp.StartAsync(settings =>
        {
            settings["Serilog:MinimumLevel:Override:Npgsql"] = "Debug";
        }, s => s.AddSingleton<ILogEventSink>(log));
        await app.Database.TemplateAsync("http", "gcs", RunHelpers.TemplateId);
        app.ControlHub.NextJobs(JobScript.RunsForever());

        var launched = await app.Client.LaunchAsync("http", "gcs", "London");
        using var cancel = await app.Client.PostAsync($"/v1/runs/{launched.RunId}/cancel", null);
        var run = await app.RunToCompletionAsync(launched.RunId);

        Assert.Equal((HttpStatusCode.Accepted, RunStates.Canceled), (cancel.StatusCode, run.State));
        var npgsql = log.Messages(LogEventLevel.Debug);
        Assert.Contains(npgsql, m => m.StartsWith("Opened connection", StringComparison.Ordinal));
        Assert.DoesNotContain(npgsql, m => m.Contains("cancellation", StringComparison.OrdinalIgnoreCase));
    }
}
