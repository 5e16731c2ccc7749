using System.Net;
using System.Text.RegularExpressions;

namespace JobTemplateService.Tests;

/// <summary>/health/live, /health/ready and the Prometheus /metrics (jts_* series with low-cardinality labels only).</summary>
public sealed class HealthAndMetricsTests
{
    [Fact]
    public async Task LiveAndReadyAnswer200WhileTheDatabaseIsUp()
    {
        await using var app = await TestApp.StartAsync();

        using var live = await app.Client.GetAsync("/health/live");
        using var ready = await app.Client.GetAsync("/health/ready");

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (live.StatusCode, ready.StatusCode));
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ReadyAnswers503WhenTheDatabaseIsGoneWhileLiveStays200()
    {
        await using var app = await TestApp.StartAsync();
        using (var before = await app.Client.GetAsync("/health/ready")) Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        await app.Database.DropAsync();
        using var ready = await app.Client.GetAsync("/health/ready");
        using var live = await app.Client.GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("Unhealthy", await ready.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task MetricsCountTheDatabaseConnectionsHeldRightNow()
    {
        await using var app = await TestApp.StartAsync();

        string holding;
        await using (await app.Service<Npgsql.NpgsqlDataSource>().OpenConnectionAsync())
        {
            holding = await app.ScrapeAsync();
        }

        // Npgsql counts every pool of this process, and other tests' hosts run beside this one: at least the one held here.
        Assert.True(PrometheusText.Sample(holding, "jts_database_connections{state=\"used\"}") >= 1);
        Assert.Contains("jts_database_connections{state=\"idle\"}", holding);
    }

    [Fact]
    public async Task MetricsCountLaunchesPlatformCallsAndFinishedInstances()
    {
        await using var app = await TestApp.StartAsync();
        await app.FirstPassAsync<MaintenanceSweeper>(); // a late first sweep of the host's own could write counts read before the launch
        await app.Database.ExampleTemplateAsync();
        var before = await app.ScrapeAsync();

        var runId = (await app.LaunchAsync(LaunchBodies.Body())).RunId;
        await app.Service<MaintenanceSweeper>().RunOnceAsync(CancellationToken.None);
        var whileRunning = await app.ScrapeAsync();
        await app.RunToCompletionAsync(runId);
        var after = await app.ScrapeAsync();

        Assert.Equal(0, PrometheusText.Sample(before, "jts_launches_total{outcome=\"started\"}"));
        Assert.Equal(1, PrometheusText.Sample(whileRunning, "jts_launches_total{outcome=\"started\"}"));
        Assert.Equal(1, PrometheusText.Sample(whileRunning,
            "jts_platform_call_seconds_count{platform=\"controlhub\",operation=\"start\",outcome=\"started\"}"));
        Assert.Equal(1, PrometheusText.Sample(whileRunning, "jts_live_instances{state=\"RUNNING\"}"));
        Assert.All(["QUEUED", "PENDING", "STARTING"],
            state => Assert.Equal(0, PrometheusText.Sample(whileRunning, $"jts_live_instances{{state=\"{state}\"}}")));
        Assert.True(PrometheusText.Sample(after, "jts_platform_call_seconds_count{platform=\"controlhub\",operation=\"status\",outcome=\"ok\"}") >= 1);
        Assert.Equal(1, PrometheusText.Sample(after, "jts_instances_finished_total{state=\"SUCCEEDED\"}"));
        Assert.True(PrometheusText.Sample(after, "jts_monitor_lag_seconds_count") >= 1);
        Assert.Equal(1, PrometheusText.Sample(after, "jts_completion_to_metrics_seconds_count"));
    }

    [Fact]
    public async Task NoMetricLabelCarriesARunIdUserRunIdUserIdOrJobId()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        var userRunId = "nightly-" + Guid.NewGuid().ToString("N")[..12];
        var userId = $"user-{Guid.NewGuid().ToString("N")[..8]}@example.com";
        app.ControlHub.DefaultScript = JobScript.ForceStopped();

        var run = await app.LaunchAsync(LaunchBodies.Body(userRunId: userRunId, userId: userId));
        await app.RunToCompletionAsync(run.RunId);
        foreach (var path in new[] { $"/v1/runs/{run.RunId}/outcome", $"/v1/runs?user-run-id={userRunId}", $"/v1/metrics?run-id={run.RunId}" })
        {
            using var response = await app.Client.GetAsync(path);
        }
        var text = await app.ScrapeAsync();

        Assert.Contains("jts_launches_total", text);
        Assert.Contains("jts_instances_finished_total{state=\"FAILED\"}", text);
        Assert.All([userRunId, userId, run.RunId.ToString(), run.Instances[0].PlatformJobId!, run.Instances[0].InstanceId.ToString()],
            id => Assert.DoesNotContain(id, text));
        var labels = PrometheusText.LabelValues(text).ToList();
        Assert.NotEmpty(labels);
        Assert.DoesNotContain(labels, v => Regex.IsMatch(v, "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"));
    }
}
