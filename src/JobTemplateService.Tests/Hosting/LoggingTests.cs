using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;

namespace JobTemplateService.Tests;

[Collection(SerialCollection.Name)]
public sealed class LoggingTests
{
    private const string RequestLogging = "Serilog.AspNetCore.RequestLoggingMiddleware";
    private const string TemplateSecret = "s3cr3t-value-123";
    private const string DeclaredSecret = "w4rehouse-login-789";
    private const string CallerSecret = "caller-t0ken-456";

    [Fact]
    public async Task EveryServiceLogEventAboutARunCarriesRunIdAndUserRunId()
    {
        var (run, events) = await TwoInstanceRunAsync("run-logging-1");

        var about = Mentioning(run, events).Where(e => CapturingSink.Scalar(e, "SourceContext") != RequestLogging).ToList();

        Assert.True(about.Count >= 3, $"expected the start and both completions to be logged; got {about.Count} event(s)");
        Assert.All(about, e => Assert.Equal((run.RunId.ToString(), "run-logging-1"),
            (CapturingSink.Scalar(e, "RunId"), CapturingSink.Scalar(e, "UserRunId"))));
    }

    [Fact]
    public async Task RequestLogLinesAboutARunCarryRunIdAndUserRunId()
    {
        var (run, events) = await TwoInstanceRunAsync("run-logging-2");

        var requests = Mentioning(run, events).Where(e => CapturingSink.Scalar(e, "SourceContext") == RequestLogging).ToList();

        Assert.NotEmpty(requests);
        Assert.All(requests, e => Assert.Equal((run.RunId.ToString(), "run-logging-2"),
            (CapturingSink.Scalar(e, "RunId"), CapturingSink.Scalar(e, "UserRunId"))));
    }

    [Fact]
    public async Task NoLogEventContainsASecretParameterValueEvenAtVerbose()
    {
        var sink = new CapturingSink();
        await using var app = await TestApp.StartAsync(Verbose, s => s.AddSingleton<ILogEventSink>(sink));
        await app.Database.TemplateAsync("jdbc", "gcs", "template-log-3:org",
            sourceParameters: $$"""{"DB_PASSWORD": "{{TemplateSecret}}", "WAREHOUSE_LOGIN": "{{DeclaredSecret}}"}""",
            extraColumns: ", secret_parameters", extraValues: ", '{WAREHOUSE_LOGIN}'");
        app.ControlHub.NextJobs(JobScript.Fails("INACTIVE_ERROR", "RED", "JDBC_06 - Failed to connect"));

        var run = await LaunchAsync(app, "run-logging-3", "jdbc", $$"""{"TABLE": "orders", "API_TOKEN": "{{CallerSecret}}"}""");
        var finished = await app.RunToCompletionAsync(run.RunId);

        Assert.True(RunStates.IsTerminal(finished.State), finished.State);
        var sent = app.ControlHub.CreateBodies[0].ToJsonString();
        Assert.All([TemplateSecret, DeclaredSecret, CallerSecret], secret => Assert.Contains(secret, sent));
        Assert.True(sink.Events.Count > 20, $"only {sink.Events.Count} event(s) captured at Verbose");
        Assert.All(sink.Events, e => Assert.DoesNotContain(
            new[] { TemplateSecret, DeclaredSecret, CallerSecret }, CapturingSink.FullText(e).Contains));
    }

    [Fact]
    public async Task ControlHubCredentialTokenNeverReachesTheLogsEvenAtVerbose()
    {
        var sink = new CapturingSink();
        await using var app = await TestApp.StartAsync(Verbose, s => s.AddSingleton<ILogEventSink>(sink));
        await app.Database.TemplateAsync("http", "gcs", "template-log-4:org");

        var run = await LaunchAsync(app, "run-logging-4", "http", """{"CITY": "London"}""");
        var finished = await app.RunToCompletionAsync(run.RunId);

        Assert.True(RunStates.IsTerminal(finished.State), finished.State);
        Assert.NotEmpty(app.ControlHub.CreateBodies);
        var leaking = sink.Events.Where(e => CapturingSink.FullText(e).Contains(ControlHubSimulator.CredToken))
            .Select(e => $"{CapturingSink.Scalar(e, "SourceContext")}: {e.MessageTemplate.Text}").Distinct().ToList();
        Assert.Empty(leaking);
    }

    [Fact]
    public async Task TwoHostsInOneProcessKeepTheirLogEventsApart()
    {
        var (first, second) = (new CapturingSink(), new CapturingSink());
        await using var app = await TestApp.StartAsync(services: s => s.AddSingleton<ILogEventSink>(first));
        await using var other = await TestApp.StartAsync(services: s => s.AddSingleton<ILogEventSink>(second));
        await app.Database.TemplateAsync("http", "gcs", "template-log-5:org");

        var run = await LaunchAsync(app, "run-logging-5", "http", """{"CITY": "London"}""");

        var id = run.RunId.ToString();
        Assert.Contains(first.Events, e => CapturingSink.Scalar(e, "RunId") == id);
        Assert.DoesNotContain(second.Events, e => CapturingSink.Scalar(e, "RunId") == id);
    }

    private static async Task<(RunResource Run, IReadOnlyList<LogEvent> Events)> TwoInstanceRunAsync(string userRunId)
    {
        var sink = new CapturingSink();
        await using var app = await TestApp.StartAsync(services: s => s.AddSingleton<ILogEventSink>(sink));
        await app.Database.TemplateAsync("http", "gcs", "template-log:org");
        app.ControlHub.NextJobs(JobScript.Succeeds(), JobScript.ForceStopped());

        var launched = await LaunchAsync(app, userRunId, "http", """{"CITY": "London"}, {"CITY": "Phoenix"}""");
        var finished = await app.RunToCompletionAsync(launched.RunId);

        Assert.True(RunStates.IsTerminal(finished.State), finished.State);
        return (finished, sink.Events);
    }

    /// <summary>Events whose message, properties or exception mention the run id or one of its platform job ids.</summary>
    private static IEnumerable<LogEvent> Mentioning(RunResource run, IEnumerable<LogEvent> events)
    {
        var ids = run.Instances.Select(i => i.PlatformJobId!).Append(run.RunId.ToString()).ToList();
        return events.Where(e => ids.Any(CapturingSink.FullText(e).Contains));
    }

    private static void Verbose(Dictionary<string, string?> settings)
    {
        settings["Serilog:MinimumLevel:Default"] = "Verbose";
        foreach (var category in new[] { "Microsoft.AspNetCore", "Microsoft.Extensions.Http", "System.Net.Http.HttpClient", "Npgsql" })
            settings[$"Serilog:MinimumLevel:Override:{category}"] = "Verbose";
    }

    private static async Task<RunResource> LaunchAsync(TestApp app, string userRunId, string source, string parameterSets)
    {
        using var response = await app.Client.PostAsync("/v1/runs", new StringContent($$"""
            {"user-id": "mark@onefoursix.com", "user-run-id": "{{userRunId}}", "source-type": "{{source}}",
             "target-type": "gcs", "runtime-parameters": [{{parameterSets}}]}
            """, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<RunResource>(Json.Options))!;
    }
}
