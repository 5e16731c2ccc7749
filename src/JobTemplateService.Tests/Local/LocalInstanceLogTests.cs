using System.Net;
using System.Text.Json.Nodes;

namespace JobTemplateService.Tests;

/// <summary>GET /v1/runs/{run}/instances/{instance}/log: a local job's stdout and stderr, stored line by line, tailed by offset.</summary>
public sealed class LocalInstanceLogTests
{
    // Pauses between the streams: stdout and stderr are separate pipes, read side by side.
    private const string FourLines = "echo out-1; sleep 0.3; echo err-1 >&2; sleep 0.3; echo out-2; sleep 0.3; echo err-2 >&2";

    [Fact]
    public async Task LogAsJsonHasStdoutAndStderrInOrderAndIsCompleteOnceTheJobFinished()
    {
        await using var app = await TestApp.StartAsync(LocalJobs.Command("four_lines", FourLines));
        await app.Database.LocalTemplateAsync("four_lines");
        var run = await app.WaitForRunAsync((await app.LaunchAsync(LocalJobs.Body("log-1"))).RunId);

        var log = await app.ReadLogAsync(run.RunId, "0", offset: 0);

        Assert.Equal(InstanceStates.Succeeded, log.State);
        Assert.Equal((run.RunId, run.Instances[0].InstanceId), (log.RunId, log.InstanceId));
        Assert.Equal(["out-1", "err-1", "out-2", "err-2"], log.Lines.Select(l => l.Text));
        Assert.Equal(["stdout", "stderr", "stdout", "stderr"], log.Lines.Select(l => l.Stream));
        Assert.Equal([1L, 2L, 3L, 4L], log.Lines.Select(l => l.LineNo));
        Assert.Equal(4, log.NextOffset);
        Assert.True(log.Complete);
    }

    [Fact]
    public async Task LogAsPlainTextCarriesNextOffsetAndCompleteHeadersAndAnOffsetSkipsLinesAlreadyRead()
    {
        await using var app = await TestApp.StartAsync(LocalJobs.Command("four_lines", FourLines));
        await app.Database.LocalTemplateAsync("four_lines");
        var run = await app.WaitForRunAsync((await app.LaunchAsync(LocalJobs.Body("log-2"))).RunId);

        var (all, allNext, allComplete) = await ReadTextAsync(app, run.RunId, 0);
        var (tail, tailNext, tailComplete) = await ReadTextAsync(app, run.RunId, 2);
        var (nothing, nothingNext, nothingComplete) = await ReadTextAsync(app, run.RunId, 4);
        var jsonTail = await app.ReadLogAsync(run.RunId, "0", offset: 3);

        Assert.Equal(("out-1\nerr-1\nout-2\nerr-2\n", "4", "true"), (all, allNext, allComplete));
        Assert.Equal(("out-2\nerr-2\n", "4", "true"), (tail, tailNext, tailComplete));
        Assert.Equal(("", "4", "true"), (nothing, nothingNext, nothingComplete));
        Assert.Equal(["err-2"], jsonTail.Lines.Select(l => l.Text));
        Assert.Equal(4, jsonTail.NextOffset);
    }

    [Fact]
    public async Task LogOfARunningJobIsNotCompleteAndGrowsAsTheJobWrites()
    {
        await using var app = await TestApp.StartAsync(LocalJobs.Command("slow_lines", "echo first; sleep 4; echo second"));
        await app.Database.LocalTemplateAsync("slow_lines");
        var launched = await app.LaunchAsync(LocalJobs.Body("log-3"));

        await app.WaitForLogLineAsync(launched.RunId, "first");
        var whileRunning = await app.ReadLogAsync(launched.RunId);
        await app.WaitForRunAsync(launched.RunId);
        var afterwards = await app.ReadLogAsync(launched.RunId, "0", whileRunning.NextOffset);

        Assert.Equal(InstanceStates.Running, whileRunning.State);
        Assert.Equal(["first"], whileRunning.Lines.Select(l => l.Text));
        Assert.False(whileRunning.Complete);
        Assert.Equal(1, whileRunning.NextOffset);
        Assert.Equal(["second"], afterwards.Lines.Select(l => l.Text));
        Assert.True(afterwards.Complete);
    }

    [Fact]
    public async Task LogIsFoundByIndexOrInstanceIdAndUnknownInstancesAnswer404()
    {
        await using var app = await TestApp.StartAsync(LocalJobs.Command("say_index", "echo \"instance $JTS_INSTANCE_INDEX\""));
        await app.Database.LocalTemplateAsync("say_index");
        var run = await app.WaitForRunAsync((await app.LaunchAsync(LocalJobs.Body("log-4", new JsonObject(), new JsonObject()))).RunId);
        var second = run.Instances.Single(i => i.Index == 1);

        var byIndex = await app.ReadLogAsync(run.RunId, "1");
        var byId = await app.ReadLogAsync(run.RunId, second.InstanceId.ToString());
        using var unknownIndex = await app.Client.GetAsync($"/v1/runs/{run.RunId}/instances/2/log");
        using var unknownId = await app.Client.GetAsync($"/v1/runs/{run.RunId}/instances/{Guid.NewGuid()}/log");
        using var unknownRun = await app.Client.GetAsync($"/v1/runs/{Guid.NewGuid()}/instances/0/log");

        Assert.Equal(["instance 1"], byIndex.Lines.Select(l => l.Text));
        Assert.Equal(second.InstanceId, byIndex.InstanceId);
        Assert.Equal(["instance 1"], byId.Lines.Select(l => l.Text));
        Assert.Equal(second.InstanceId, byId.InstanceId);
        await unknownIndex.ReadProblemAsync(HttpStatusCode.NotFound, "/problems/not-found");
        await unknownId.ReadProblemAsync(HttpStatusCode.NotFound, "/problems/not-found");
        await unknownRun.ReadProblemAsync(HttpStatusCode.NotFound, "/problems/not-found");
    }

    [Fact]
    public async Task LogKeepsOnlyTheNewestLinesBeyondMaxLogLinesPerInstance()
    {
        await using var app = await TestApp.StartAsync(LocalJobs.Command("many_lines",
            "i=1; while [ $i -le 12 ]; do echo \"line $i\"; i=$((i+1)); done",
            settings => settings["LocalPlatform:MaxLogLinesPerInstance"] = "5"));
        await app.Database.LocalTemplateAsync("many_lines");
        var run = await app.WaitForRunAsync((await app.LaunchAsync(LocalJobs.Body("log-5"))).RunId);

        var log = await app.ReadLogAsync(run.RunId);

        Assert.Equal(["line 8", "line 9", "line 10", "line 11", "line 12"], log.Lines.Select(l => l.Text));
        Assert.Equal([8L, 9L, 10L, 11L, 12L], log.Lines.Select(l => l.LineNo));
        Assert.Equal(12, log.NextOffset);
        Assert.Equal(5L, await app.Database.ScalarAsync<long>(
            $"SELECT count(*) FROM streamsets.instance_log WHERE instance_id = '{run.Instances[0].InstanceId}'"));
    }

    [Fact]
    public async Task SecretParameterValuePrintedByTheJobIsMaskedInTheStoredLog()
    {
        const string secret = "hunter2-b6c1f0";
        await using var app = await TestApp.StartAsync(LocalJobs.Command("leaky_job",
            "echo \"connecting with $DB_PASSWORD\"; echo \"token=$API_TOKEN\" >&2; echo \"user $DB_USER\""));
        await app.Database.LocalTemplateAsync("leaky_job", sourceParameters: """{"API_TOKEN": "static-tok-93ad"}""");

        var run = await app.WaitForRunAsync((await app.LaunchAsync(LocalJobs.Body("log-6",
            new JsonObject { ["DB_PASSWORD"] = secret, ["DB_USER"] = "ann" }))).RunId);
        var log = await app.ReadLogAsync(run.RunId);
        var stored = await app.Database.StringsAsync(
            $"SELECT line FROM streamsets.instance_log WHERE instance_id = '{run.Instances[0].InstanceId}' ORDER BY line_no");

        Assert.Equal(InstanceStates.Succeeded, run.Instances[0].State);
        Assert.Equal(["connecting with ******", "token=******", "user ann"], log.Lines.Select(l => l.Text).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(stored, l => l.Contains(secret, StringComparison.Ordinal) || l.Contains("static-tok-93ad", StringComparison.Ordinal));
        Assert.Equal(3, stored.Count);
    }

    private static async Task<(string Body, string? NextOffset, string? Complete)> ReadTextAsync(TestApp app, Guid runId, long offset)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/runs/{runId}/instances/0/log?offset={offset}");
        request.Headers.Accept.ParseAdd("text/plain");
        using var response = await app.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        return (await response.Content.ReadAsStringAsync(),
            response.Headers.TryGetValues("X-Next-Offset", out var next) ? next.Single() : null,
            response.Headers.TryGetValues("X-Log-Complete", out var complete) ? complete.Single() : null);
    }
}
