using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Npgsql;

namespace JobTemplateService.ConsoleTests;

/// <summary>
/// The built service as `scripts/run.sh` runs it: its own process, a fresh PostgreSQL database on the
/// server in JTS_TEST_POSTGRES (scripts/test.sh sets it), API keys required, the demo template applied
/// from demo/templates.yaml, local jobs run as an unprivileged user when the tests run as root. Keys
/// and the tests' own templates are made with the bootstrap admin key through the admin API.
/// </summary>
public sealed class ConsoleService : IAsyncLifetime
{
    public const string BootstrapKey = "console-tests-bootstrap-admin-key-0123456789";
    // scripts/test.sh creates this user when it runs as root, as the service's own tests need it too.
    private const string JobUser = "jts-test-job";
    private Process? process;
    private string? server;
    private readonly string database = "jts_console_" + Guid.NewGuid().ToString("N")[..12];
    private Dictionary<string, string> environment = [];
    private const UnixFileMode Everyone = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    public string Url { get; private set; } = "";

    public HttpClient Admin { get; private set; } = null!;

    public static string Root { get; } = FindRoot();

    /// <summary>Where the demo's jobs write, relative to the checkout.</summary>
    public string OutputDirectory { get; private set; } = "";

    public async Task InitializeAsync()
    {
        server = Environment.GetEnvironmentVariable("JTS_TEST_POSTGRES")
            ?? throw new InvalidOperationException("JTS_TEST_POSTGRES is not set: run the browser tests with ./scripts/test.sh, which starts PostgreSQL.");
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", connection);
            await create.ExecuteNonQueryAsync();
        }
        var settings = new NpgsqlConnectionStringBuilder(server);
        var port = FreePort();
        // Paths relative to the checkout (the jobs' working directory), as a person reads them on the pages and screenshots;
        // .local/ is the local run's own, ignored folder. Writable by the jobs' own user, whoever that is.
        OutputDirectory = Path.Combine(".local", "console-tests", database);
        var output = Directory.CreateDirectory(Path.Combine(Root, OutputDirectory));
        if (!OperatingSystem.IsWindows())
        {
            for (var folder = output; folder is not null && folder.FullName != Root; folder = folder.Parent) folder.UnixFileMode |= Everyone;
            output.UnixFileMode |= UnixFileMode.OtherWrite | UnixFileMode.GroupWrite;
        }
        Url = $"http://127.0.0.1:{port}";
        environment = new Dictionary<string, string>
        {
            ["Urls"] = Url, ["ConfigDirectory"] = Path.Combine(AppContext.BaseDirectory, "no-config-files-here"),
            ["postgresql__host"] = settings.Host!, ["postgresql__port"] = settings.Port.ToString(), ["postgresql__user"] = settings.Username!,
            ["postgresql__password"] = settings.Password ?? "", ["postgresql__database"] = database,
            ["Database__MigrateOnStartup"] = "true", ["Security__Mode"] = "ApiKeys", ["Security__BootstrapAdminKey"] = BootstrapKey,
            ["Monitor__PollInterval"] = "00:00:01", ["LocalPlatform__WorkingDirectory"] = Root, ["Logging__Format"] = "none",
            ["local__csv_filter"] = $"sh '{Path.Combine(Root, "demo", "jobs", "csv_filter.sh")}'",
            ["local__weather_replay"] = $"sh '{Path.Combine(Root, "demo", "jobs", "weather_replay.sh")}'", // demo/templates.yaml names it
            ["local__slow_job"] = "sh -c 'echo starting; for i in $(seq 1 300); do echo tick $i; sleep 1; done'",
        };
        if (Environment.UserName == "root") environment["LocalPlatform__RunAsUser"] = JobUser;
        process = Process.Start(Command())!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Admin = new HttpClient { BaseAddress = new Uri(Url) };
        Admin.DefaultRequestHeaders.Authorization = new("Bearer", BootstrapKey);
        await WaitUntilReadyAsync();
        await SeedAsync();
    }

    /// <summary>A new API key with these scopes; its secret, as `keys create` prints it.</summary>
    public Task<string> CreateKeyAsync(string name, params string[] scopes) => CreateKeyAsync(name, scopes, []);

    /// <summary>A new API key limited to these templates (pattern-name globs, tag:x).</summary>
    public async Task<string> CreateKeyAsync(string name, string[] scopes, string[] templates)
    {
        var response = await Admin.PostAsJsonAsync("/v1/admin/api-keys", new { name, scopes, templates });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
    }

    public async Task ExecuteAsync(string sql)
    {
        var settings = new NpgsqlConnectionStringBuilder(server) { Database = database };
        await using var connection = new NpgsqlConnection(settings.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// The demo template as scripts/run.sh applies it (`templates apply demo/templates.yaml`), and two of
    /// the tests' own: a slow job to cancel, and the demo's job with a contract that takes any city, so
    /// that a city the file does not have gets through validation and makes the job fail.
    /// </summary>
    private async Task SeedAsync()
    {
        var apply = Command("templates", "apply", Path.Combine(Root, "demo", "templates.yaml"));
        apply.Environment["JTS_DEMO_INPUT_FILE"] = Path.Combine("demo", "data", "weather.csv");
        apply.Environment["JTS_DEMO_OUTPUT_DIR"] = OutputDirectory;
        using (var applying = Process.Start(apply)!)
        {
            var said = await applying.StandardOutput.ReadToEndAsync() + await applying.StandardError.ReadToEndAsync();
            await applying.WaitForExitAsync();
            if (applying.ExitCode != 0) throw new InvalidOperationException($"templates apply demo/templates.yaml failed: {said}");
        }
        await PutTemplateAsync("slow-job", new
        {
            SourceType = "slow", TargetType = "slow", Platform = "local", PlatformTemplateId = "slow_job",
            Title = "Slow job", Description = "Ticks once a second for five minutes.", Tags = new[] { "test" },
        });
        await PutTemplateAsync("any-city", new
        {
            SourceType = "csv", TargetType = "csv-any-city", Platform = "local", PlatformTemplateId = "csv_filter",
            Title = "Weather rows for any city name", Description = "The demo's job, taking any city: one the file lacks fails.",
            Tags = new[] { "test" },
            Parameters = new Dictionary<string, object>
            {
                ["type"] = "object", ["required"] = new[] { "CITY" }, ["additionalProperties"] = false,
                ["properties"] = new Dictionary<string, object> { ["CITY"] = new Dictionary<string, object> { ["type"] = "string", ["minLength"] = 1 } },
            },
            StaticParameters = new
            {
                SourceRuntimeParameters = new Dictionary<string, string> { ["INPUT_FILE"] = Path.Combine("demo", "data", "weather.csv") },
                DestinationRuntimeParameters = new Dictionary<string, string> { ["OUTPUT_DIR"] = OutputDirectory },
            },
        });
    }

    private async Task PutTemplateAsync(string name, object definition)
    {
        var body = JsonSerializer.Serialize(definition, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.KebabCaseLower });
        var response = await Admin.PutAsync($"/v1/admin/templates/{name}", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"PUT /v1/admin/templates/{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>The built service (dotnet JobTemplateService.dll ARGS) with the tests' settings and nothing from this process's own.</summary>
    private ProcessStartInfo Command(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = Root, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "JobTemplateService.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var name in start.Environment.Keys.Where(k => k.Contains("__", StringComparison.Ordinal)).ToList()) start.Environment.Remove(name);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        return start;
    }

    private async Task WaitUntilReadyAsync()
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (process!.HasExited) throw new InvalidOperationException($"The service exited with code {process.ExitCode} at start-up.");
            try
            {
                if ((await Admin.GetAsync("/health/ready")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(200);
        }
        throw new TimeoutException("The service was not ready within 60 s.");
    }

    public async Task DisposeAsync()
    {
        Admin.Dispose();
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
        if (OutputDirectory.Length > 0) Directory.Delete(Path.Combine(Root, OutputDirectory), recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "JobTemplateService.sln"))) return directory.FullName;
        }
        throw new DirectoryNotFoundException($"No JobTemplateService.sln above {AppContext.BaseDirectory}.");
    }
}
