using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;

namespace JobTemplateService.Tests;

/// <summary>
/// Issue 4 item 9: a secret value reaches the platform and nothing else — not a response, not a
/// log event at any level, not a row of any table except the template row that holds it.
/// </summary>
[Collection(LogCapturingCollection.Name)]
public sealed class SecretLeakTests
{
    private static readonly string DbPassword = "db-password-" + Guid.NewGuid().ToString("N");
    private static readonly string Connection = "gcs-connection-" + Guid.NewGuid().ToString("N");
    private static readonly string ApiToken = "api-token-" + Guid.NewGuid().ToString("N");
    private static readonly string[] Secrets = [DbPassword, Connection, ApiToken];

    [Fact]
    public async Task SecretValuesReachThePlatformButNoResponseLogEventOrTableOtherThanTheTemplate()
    {
        var logs = new LogCapture();
        await using var app = await TestApp.StartAsync(VerboseLogging, services: s => s.AddSingleton<ILogEventSink>(logs));
        await app.Database.TemplateAsync("http", "gcs", Seed.ExampleTemplateId,
            sourceParameters: $$"""{"HTTP_MODE": "POLLING", "DB_PASSWORD": "{{DbPassword}}"}""",
            destinationConnection: $$"""{"GCS_CONNECTION": "{{Connection}}"}""",
            extraColumns: ", secret_parameters", extraValues: ", ARRAY['GCS_CONNECTION']");
        var responses = new List<(HttpStatusCode Status, string Text)>();
        async Task<string> Keep(Task<HttpResponseMessage> call)
        {
            using var response = await call;
            var body = await response.Content.ReadAsStringAsync();
            responses.Add((response.StatusCode, $"{response.Headers}\n{response.Content.Headers}\n{body}"));
            return body;
        }

        // A run that is canceled, one that succeeds (launched twice: the second answer is a replay), one whose start is unclear.
        app.ControlHub.NextJobs(JobScript.RunsForever());
        await Keep(app.PostJsonAsync("/v1/runs/plan", Body("leak-1")));
        var canceled = RunId(await Keep(app.PostJsonAsync("/v1/runs", Body("leak-1"))));
        await Keep(app.Client.GetAsync($"/v1/runs/{canceled}/outcome?wait=0"));
        await Keep(app.CancelAsync(canceled));
        await app.RunToCompletionAsync(canceled);
        var succeeded = RunId(await Keep(app.PostJsonAsync("/streamsets/job-template-runner", Body("leak-2"))));
        await Keep(app.PostJsonAsync("/streamsets/job-template-runner", Body("leak-2")));
        await app.RunToCompletionAsync(succeeded);
        app.ControlHub.OnCreate = _ => CreateAnswer.ServerErrorWithoutCreating();
        var unclear = RunId(await Keep(app.PostJsonAsync("/v1/runs", Body("leak-3"))));
        app.ControlHub.OnCreate = null;
        await app.MonitorPassAsync();
        await app.ElapseReconcileWaitAsync();
        await app.RunToCompletionAsync(unclear);
        var locked = Body("leak-4");
        locked["runtime-parameters"]![0]!["DB_PASSWORD"] = DbPassword;
        await Keep(app.PostJsonAsync("/v1/runs", locked));
        foreach (var path in new[]
        {
            $"/v1/runs/{canceled}", $"/v1/runs/{succeeded}", $"/v1/runs/{unclear}", "/v1/runs", "/v1/runs?user-run-id=leak-1",
            $"/v1/runs/{canceled}/outcome", $"/v1/runs/{succeeded}/outcome?wait=1", $"/v1/runs/{unclear}/outcome", "/v1/metrics",
            "/v1/templates", "/v1/templates/resolve?source-type=http&target-type=gcs", "/metrics",
        })
        {
            await Keep(app.Client.GetAsync(path));
        }
        await Keep(app.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/v1/metrics") { Headers = { { "Accept", "text/csv" } } }));
        await Keep(app.Client.GetAsync("/health/live"));
        Assert.True(await logs.WaitForAsync(e => e.RenderMessage().Contains("/health/live\" responded 200"), TimeSpan.FromSeconds(10)));

        var sent = app.ControlHub.CreateBodies.Select(b => b["runtimeParametersList"]![0]!.ToJsonString()).ToList();
        Assert.Equal(3, sent.Count);
        Assert.All(sent, body => Assert.All(Secrets, secret => Assert.Contains(secret, body)));
        Assert.Equal(["CANCELED", "SUCCEEDED", "FAILED"],
            [(await app.GetRunAsync(canceled)).State, (await app.GetRunAsync(succeeded)).State, (await app.GetRunAsync(unclear)).State]);
        Assert.Equal(22, responses.Count);
        Assert.All(responses, r => Assert.True((int)r.Status < 500, $"{r.Status}: {r.Text}"));
        Assert.All(responses, r => AssertNoSecret(r.Text, "response"));

        Assert.Contains(logs.Events, e => e.Level == LogEventLevel.Verbose);
        Assert.Contains(logs.Events, e => e.Exception is not null || e.Level == LogEventLevel.Warning);
        Assert.All(logs.Texts(), text => AssertNoSecret(text, "log event"));

        var dump = await app.Database.DumpAsync();
        Assert.All(["run", "run_instance", "launch_request", "job_run_metrics"], table => Assert.NotEmpty(dump[table]));
        Assert.Contains(dump["job_template"], row => row.Contains(DbPassword) && row.Contains(Connection));
        Assert.All(dump.Where(t => t.Key != "job_template"), table =>
            Assert.All(table.Value, row => AssertNoSecret(row, $"table streamsets.{table.Key}")));
    }

    private static void VerboseLogging(Dictionary<string, string?> settings)
    {
        settings["Logging:Format"] = "none";
        settings["Serilog:MinimumLevel:Default"] = "Verbose";
        foreach (var source in new[] { "Microsoft.AspNetCore", "Microsoft.Extensions.Http", "System.Net.Http.HttpClient", "Npgsql" })
            settings[$"Serilog:MinimumLevel:Override:{source}"] = "Verbose";
    }

    private static JsonObject Body(string userRunId)
    {
        var set = LaunchBodies.City("London");
        set["API_TOKEN"] = ApiToken;
        return LaunchBodies.Body(userRunId: userRunId, sets: set);
    }

    private static Guid RunId(string json) => JsonDocument.Parse(json).RootElement.GetProperty("run-id").GetGuid();

    private static void AssertNoSecret(string text, string where)
    {
        foreach (var secret in Secrets)
            Assert.False(text.Contains(secret, StringComparison.Ordinal), $"A secret value leaked into a {where}:\n{text}");
    }
}
