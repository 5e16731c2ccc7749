using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace JobTemplateService.Tests;

/// <summary>
/// The real service (WebApplicationFactory) on its own fresh database, talking to its own
/// simulated Control Hub. Monitors do not run by themselves: tests drive passes explicitly.
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    private readonly WebApplicationFactory<Program> factory;
    private readonly bool ownsDatabase;

    private TestApp(TestDatabase database, bool ownsDatabase, ControlHubSimulator controlHub, WebApplicationFactory<Program> factory)
    {
        Database = database;
        this.ownsDatabase = ownsDatabase;
        ControlHub = controlHub;
        this.factory = factory;
        Client = factory.CreateClient();
    }

    /// <summary>The unprivileged user local jobs run as when the tests run as root.</summary>
    public const string JobUser = "jts-test-job";

    public TestDatabase Database { get; }
    public ControlHubSimulator ControlHub { get; }
    public HttpClient Client { get; }
    public IServiceProvider Services => factory.Services;

    public static async Task<TestApp> StartAsync(Action<Dictionary<string, string?>>? configure = null,
        Action<IServiceCollection>? services = null, TestDatabase? database = null)
    {
        var ownsDatabase = database is null;
        database ??= await TestDatabase.CreateAsync();
        var controlHub = new ControlHubSimulator();
        var settings = DefaultSettings(database, controlHub.Url);
        configure?.Invoke(settings);
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.ConfigureAppConfiguration((_, configuration) => configuration.AddInMemoryCollection(settings));
            // Each host counts only its own work, so a metrics assertion cannot pass on another test's launches.
            builder.ConfigureServices(s => s.AddSingleton(Prometheus.Metrics.NewCustomRegistry()));
            if (services is not null) builder.ConfigureServices(services);
        });
        return new TestApp(database, ownsDatabase, controlHub, factory);
    }

    public static Dictionary<string, string?> DefaultSettings(TestDatabase database, string controlHubUrl)
    {
        var db = database.Settings;
        return new Dictionary<string, string?>
        {
            ["ConfigDirectory"] = Path.Combine(AppContext.BaseDirectory, "no-config-files-here"),
            ["postgresql:host"] = db.Host,
            ["postgresql:port"] = db.Port.ToString(),
            ["postgresql:database"] = db.Database,
            ["postgresql:user"] = db.Username,
            ["postgresql:password"] = db.Password,
            ["Database:MigrateOnStartup"] = "true",
            ["streamsets:url"] = controlHubUrl,
            ["streamsets:cred_id"] = ControlHubSimulator.CredId,
            ["streamsets:cred_token"] = ControlHubSimulator.CredToken,
            ["Monitor:Enabled"] = "false",
            ["Monitor:PollInterval"] = "00:00:00.001",
            ["Monitor:ReconcileGrace"] = "00:00:00",
            ["Monitor:StopGrace"] = "00:00:00",
            ["Monitor:RetryDelay"] = "00:00:00",
            ["ControlHubClient:RetryBaseDelay"] = "00:00:00.010",
            ["ControlHubClient:ReadTimeout"] = "00:00:30", // generous: a busy test machine must not turn calls into timeouts
            ["ControlHubClient:LaunchTimeout"] = "00:00:30",
            ["Logging:Format"] = Environment.GetEnvironmentVariable("JTS_TEST_LOG_FORMAT") ?? "none",
            ["Security:Mode"] = "None",
            ["Urls"] = "http://127.0.0.1:0", // the in-memory server listens nowhere; Mode=None insists on loopback
            // As root (CI), local jobs run as an unprivileged user: scripts/test.sh creates it.
            ["LocalPlatform:RunAsUser"] = Environment.UserName == "root" ? JobUser : null,
        };
    }

    public T Service<T>() where T : notnull => factory.Services.GetRequiredService<T>();

    /// <summary>
    /// Waits for the pass a hosted background service runs by itself as the host starts. A test that
    /// drives such a service by hand (with a long interval) then knows no pass of the host's own comes
    /// in between: a late first pass could otherwise claim, sweep or count before or after the test's.
    /// </summary>
    internal Task FirstPassAsync<T>() where T : PeriodicService => Service<T>().FirstPass.WaitAsync(TimeSpan.FromSeconds(60));

    /// <summary>One monitor pass, exactly as the hosted monitor runs it.</summary>
    public Task<int> MonitorPassAsync() => Service<InstanceMonitor>().RunOnceAsync(CancellationToken.None);

    /// <summary>
    /// Lets the wait between two searches for an unclear start go by, as if a launch timeout had
    /// passed since the first search found nothing.
    /// </summary>
    public Task ElapseReconcileWaitAsync() => Database.ExecuteAsync(
        "UPDATE streamsets.run_instance SET reconcile_missed_at = now() - interval '1 day', next_check_at = now() " +
        "WHERE reconcile_missed_at IS NOT NULL");

    /// <summary>Runs monitor passes until the run is terminal (or gives up), then returns it.</summary>
    public async Task<RunResource> RunToCompletionAsync(Guid runId, int maxPasses = 20)
    {
        for (var pass = 0; pass < maxPasses; pass++)
        {
            var run = await GetRunAsync(runId);
            if (RunStates.IsTerminal(run.State)) return run;
            await MonitorPassAsync();
        }
        return await GetRunAsync(runId);
    }

    public async Task<RunResource> GetRunAsync(Guid runId) =>
        (await Client.GetFromJsonAsync<RunResource>($"/v1/runs/{runId}", Json.Options))!;

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await factory.DisposeAsync();
        ControlHub.Dispose();
        if (ownsDatabase) await Database.DisposeAsync(); // a database passed in belongs to the test
    }
}
