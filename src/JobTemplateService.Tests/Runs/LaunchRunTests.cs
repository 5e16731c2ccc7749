using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace JobTemplateService.Tests;

public sealed class LaunchRunTests
{
    private static readonly string[] RunKeys =
        ["run-id", "user-id", "user-run-id", "source-type", "target-type", "state", "template", "created-at", "instances", "links"];

    private static readonly string[] InstanceKeys =
        ["instance-id", "index", "platform-job-id", "name", "state", "parameters", "metrics"];

    [Fact]
    public async Task LaunchAnswers202WithLocationAndTheRunResourceInKebabCase()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        var templateId = await app.Database.ScalarAsync<int>("SELECT job_template_id FROM streamsets.job_template");

        using var response = await app.PostRawAsync("/v1/runs", Seed.TwoCityBody);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = document.RootElement;
        Assert.All(RunKeys, key => Assert.True(root.TryGetProperty(key, out _), $"run resource lacks '{key}': {root}"));
        var runId = root.GetProperty("run-id").GetGuid();
        Assert.Equal($"/v1/runs/{runId}", response.Headers.Location?.OriginalString);
        Assert.Equal($"/v1/runs/{runId}", root.GetProperty("links").GetProperty("self").GetString());
        Assert.Equal(("mark@onefoursix.com", "run-123", "http", "gcs", "RUNNING"),
            (root.GetProperty("user-id").GetString(), root.GetProperty("user-run-id").GetString(), root.GetProperty("source-type").GetString(),
             root.GetProperty("target-type").GetString(), root.GetProperty("state").GetString()));
        var template = root.GetProperty("template");
        Assert.Equal(("http-to-gcs", templateId, "controlhub", Seed.ExampleTemplateId),
            (template.GetProperty("pattern-name").GetString(), template.GetProperty("job-template-id").GetInt32(),
             template.GetProperty("platform").GetString(), template.GetProperty("platform-template-id").GetString()));
        Assert.True(root.GetProperty("created-at").GetDateTime() > DateTime.UtcNow.AddMinutes(-1));
        Assert.Equal(2, root.GetProperty("instances").GetArrayLength());
        Assert.All(root.GetProperty("instances").EnumerateArray(), instance =>
        {
            Assert.All(InstanceKeys, key => Assert.True(instance.TryGetProperty(key, out _), $"instance lacks '{key}': {instance}"));
            Assert.Equal("RUNNING", instance.GetProperty("state").GetString());
        });
    }

    [Fact]
    public async Task LaunchStartsOneInstancePerParameterSetWithTheJobIdsControlHubReturned()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        var body = LaunchBodies.Body(sets: [LaunchBodies.City("London"), LaunchBodies.City("Phoenix", "US"), LaunchBodies.City("Lyon", "FR")]);

        using var response = await app.PostJsonAsync("/v1/runs", body);

        var run = (await response.Content.ReadFromJsonAsync<RunResource>(Json.Options))!;
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(1, app.ControlHub.CreateCalls);
        Assert.Equal(3, app.ControlHub.Jobs.Count);
        Assert.Equal([0, 1, 2], run.Instances.Select(i => i.Index));
        Assert.Equal(["London", "Phoenix", "Lyon"], run.Instances.Select(i => i.Parameters["CITY"]));
        Assert.All(run.Instances, i => Assert.Equal(i.Parameters["CITY"], app.ControlHub.Job(i.PlatformJobId!).Parameters["CITY"]));
        Assert.Equal(3, run.Instances.Select(i => i.PlatformJobId).Distinct().Count());
        var stored = await app.Database.StringsAsync(
            "SELECT state || ' ' || platform_job_id FROM streamsets.run_instance ORDER BY ordinal");
        Assert.Equal(run.Instances.Select(i => $"RUNNING {i.PlatformJobId}"), stored);
    }

    [Fact]
    public async Task OriginalEndpointAnswers200WithStatusOkAndTheRunFields()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();

        using var response = await app.PostRawAsync("/streamsets/job-template-runner", Seed.TwoCityBody);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = document.RootElement;
        Assert.Equal("OK", root.GetProperty("status").GetString());
        Assert.All(RunKeys, key => Assert.True(root.TryGetProperty(key, out _), $"answer lacks '{key}': {root}"));
        Assert.Equal("RUNNING", root.GetProperty("state").GetString());
        Assert.Equal(app.ControlHub.Jobs.Select(j => j.Id).Order(),
            root.GetProperty("instances").EnumerateArray().Select(i => i.GetProperty("platform-job-id").GetString()).Order());
        Assert.Equal($"/v1/runs/{root.GetProperty("run-id").GetGuid()}", response.Headers.Location?.OriginalString);
    }

    [Theory]
    [InlineData("/v1/runs")]
    [InlineData("/streamsets/job-template-runner")]
    public async Task GetOfTheLocationReturnsTheLaunchedRun(string path)
    {
        // Real clocks tick in 100 ns, Postgres keeps µs: this clock makes every reading show the difference.
        await using var app = await TestApp.StartAsync(services: s => s.AddSingleton<TimeProvider>(new SubMicrosecondClock()));
        await app.Database.ExampleTemplateAsync();
        using var launch = await app.PostRawAsync(path, Seed.TwoCityBody);
        var launched = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(await launch.Content.ReadAsStringAsync())!;
        launched.Remove("status");

        using var response = await app.Client.GetAsync(launch.Headers.Location);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var fetched = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(launched.Keys.Order(), fetched.Keys.Order());
        Assert.All(launched, p => Assert.Equal(JsonText.Canonical(p.Value), JsonText.Canonical(fetched[p.Key])));
    }

    [Fact]
    public async Task LaunchRecordsTheRunAndItsInstancesBeforeCallingControlHub()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        IReadOnlyList<string>? duringCreate = null;
        app.ControlHub.OnCreate = _ =>
        {
            duringCreate = app.Database.StringsAsync(
                "SELECT r.state || '/' || i.state FROM streamsets.run r JOIN streamsets.run_instance_now i USING (run_id)").GetAwaiter().GetResult();
            return CreateAnswer.Ok;
        };

        using var response = await app.PostRawAsync("/v1/runs", Seed.TwoCityBody);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(["STARTING/STARTING", "STARTING/STARTING"], duringCreate);
    }

    [Fact]
    public async Task LaunchAnswersRunningWithoutWaitingForTheJobsToBecomeActive()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();

        using var response = await app.PostRawAsync("/v1/runs", Seed.TwoCityBody);

        var run = (await response.Content.ReadFromJsonAsync<RunResource>(Json.Options))!;
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("RUNNING", run.State);
        Assert.Empty(app.ControlHub.Calls("POST", "/jobs/status"));
        Assert.Empty(app.ControlHub.Calls("GET", "/history"));
        Assert.All(app.ControlHub.Jobs, job => Assert.Equal(("ACTIVATING", 0), (job.Current.Status, job.Polls)));
    }
}
