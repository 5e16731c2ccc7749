using System.Net.Http.Headers;
using System.Text.Json;

namespace JobTemplateService.Tests;

/// <summary>GET …/log with Accept: text/event-stream: a local job's log as Server-Sent Events, live, resumable, ended with the final state.</summary>
public sealed class LiveLogStreamTests
{
    [Fact]
    public async Task StreamSendsEveryLineWithItsNumberAsIdThenAnEndEventWithTheFinalState()
    {
        await using var app = await TestApp.StartAsync(LocalJobs.Command("two_lines", "echo alpha; echo beta >&2"));
        await app.Database.LocalTemplateAsync("two_lines");
        var run = await app.WaitForRunAsync((await app.LaunchAsync(LocalJobs.Body("sse-1"))).RunId);

        var events = await ReadEventsAsync(app, run.RunId, lastEventId: null);

        Assert.Equal(["line", "line", "end"], events.Select(e => e.Name));
        Assert.Equal(["1", "2", null], events.Select(e => e.Id));
        // Each stream keeps its own order; which of two pipes is read first is the scheduler's choice.
        Assert.Equal([("alpha", "stdout"), ("beta", "stderr")],
            events.Take(2).Select(e => (Text(e, "text"), Text(e, "stream"))).OrderBy(l => l.Item1));
        Assert.Equal(InstanceStates.Succeeded, Text(events[2], "state"));
        Assert.Equal(2, events[2].Data.GetProperty("last-line-no").GetInt64());
    }

    [Fact]
    public async Task AReconnectWithLastEventIdResumesAfterThatLine()
    {
        await using var app = await TestApp.StartAsync(LocalJobs.Command("three_lines", "echo one; echo two; echo three"));
        await app.Database.LocalTemplateAsync("three_lines");
        var run = await app.WaitForRunAsync((await app.LaunchAsync(LocalJobs.Body("sse-2"))).RunId);

        var events = await ReadEventsAsync(app, run.RunId, lastEventId: "2");

        Assert.Equal(["three", null], events.Select(e => e.Name == "line" ? Text(e, "text") : null));
        Assert.Equal("end", events[^1].Name);
    }

    [Fact]
    public async Task ALineReachesAnOpenStreamWhileTheJobRuns()
    {
        await using var app = await TestApp.StartAsync(LocalJobs.Command("waits", "echo first; sleep 3; echo second"));
        await app.Database.LocalTemplateAsync("waits");
        var launched = await app.LaunchAsync(LocalJobs.Body("sse-3"));
        await app.WaitForLogLineAsync(launched.RunId, "first");

        using var response = await OpenAsync(app, launched.RunId, lastEventId: null);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var first = await NextEventAsync(reader);
        var stateWhenFirstArrived = (await app.GetRunAsync(launched.RunId)).Instances[0].State;
        var second = await NextEventAsync(reader);
        var end = await NextEventAsync(reader);

        Assert.Equal("first", Text(first!, "text"));
        Assert.Equal(InstanceStates.Running, stateWhenFirstArrived);
        Assert.Equal("second", Text(second!, "text"));
        Assert.Equal(("end", InstanceStates.Succeeded), (end!.Name, Text(end, "state")));
        Assert.Null(await NextEventAsync(reader));
    }

    [Fact]
    public async Task AStreamOfAnUnknownInstanceAnswers404()
    {
        await using var app = await TestApp.StartAsync(LocalJobs.Command("quiet", "true"));

        using var response = await OpenAsync(app, Guid.NewGuid(), lastEventId: null);

        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
    }

    private sealed record ServerEvent(string Name, string? Id, JsonElement Data);

    private static string? Text(ServerEvent e, string property) => e.Data.GetProperty(property).GetString();

    private static async Task<HttpResponseMessage> OpenAsync(TestApp app, Guid runId, string? lastEventId)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/runs/{runId}/instances/0/log");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
        return await app.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    private static async Task<List<ServerEvent>> ReadEventsAsync(TestApp app, Guid runId, string? lastEventId)
    {
        using var response = await OpenAsync(app, runId, lastEventId);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var events = new List<ServerEvent>();
        while (await NextEventAsync(reader) is { } e) events.Add(e);
        return events;
    }

    /// <summary>The next event (event:, id:, data: lines up to a blank line), or null when the stream has ended.</summary>
    private static async Task<ServerEvent?> NextEventAsync(StreamReader reader)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string? name = null, id = null, data = null;
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.Length == 0 && data is not null) return new ServerEvent(name ?? "message", id, JsonDocument.Parse(data).RootElement.Clone());
            if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line[7..];
            else if (line.StartsWith("id: ", StringComparison.Ordinal)) id = line[4..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) data = line[6..];
        }
        return null;
    }
}
