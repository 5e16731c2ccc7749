using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Npgsql;

namespace JobTemplateService.ConsoleTests;

/// <summary>
/// The built service as `scripts/run.sh` runs it: its own process, a fresh PostgreSQL database on the
/// server in JTS_TEST_POSTGRES (scripts/test.sh sets it), API keys required, the demo template on the
/// local platform. Keys are made with the bootstrap admin key through the admin API.
/// </summary>
public sealed class ConsoleService : IAsyncLifetime
{
    public const string BootstrapKey = "console-tests-bootstrap-admin-key-0123456789";
    private Process? process;
    private string? server;
    private readonly string database = "jts_console_" + Guid.NewGuid().ToString("N")[..12];

    public string Url { get; private set; } = "";

    public HttpClient Admin { get; private set; } = null!;

    public static string Root { get; } = FindRoot();

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
        Url = $"http://127.0.0.1:{port}";
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = Root, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "JobTemplateService.dll"));
        foreach (var name in start.Environment.Keys.Where(k => k.Contains("__", StringComparison.Ordinal)).ToList()) start.Environment.Remove(name);
        var environment = new Dictionary<string, string>
        {
            ["Urls"] = Url, ["ConfigDirectory"] = Path.Combine(AppContext.BaseDirectory, "no-config-files-here"),
            ["postgresql__host"] = settings.Host!, ["postgresql__port"] = settings.Port.ToString(), ["postgresql__user"] = settings.Username!,
            ["postgresql__password"] = settings.Password ?? "", ["postgresql__database"] = database,
            ["Database__MigrateOnStartup"] = "true", ["Security__Mode"] = "ApiKeys", ["Security__BootstrapAdminKey"] = BootstrapKey,
            ["Monitor__PollInterval"] = "00:00:01", ["LocalPlatform__WorkingDirectory"] = Root, ["Logging__Format"] = "none",
            ["local__csv_filter"] = $"sh '{Path.Combine(Root, "demo", "jobs", "csv_filter.sh")}'",
            ["local__slow_job"] = "sh -c 'echo starting; for i in $(seq 1 300); do echo tick $i; sleep 1; done'",
        };
        foreach (var (name, value) in environment) start.Environment[name] = value;
        process = Process.Start(start)!;
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
    public async Task<string> CreateKeyAsync(string name, params string[] scopes)
    {
        var response = await Admin.PostAsJsonAsync("/v1/admin/api-keys", new { name, scopes });
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

    /// <summary>The demo template (csv → csv) as scripts/run.sh seeds it, and a slow job for cancelling.</summary>
    private async Task SeedAsync()
    {
        var input = Path.Combine(Root, "demo", "data", "weather.csv").Replace("'", "''");
        var output = Directory.CreateTempSubdirectory("jts-console-output-").FullName;
        await ExecuteAsync($$"""
            INSERT INTO streamsets.ingestion_pattern (pattern_name, source, destination) VALUES ('demo-csv-filter', 'csv', 'csv'), ('slow-job', 'slow', 'slow');
            INSERT INTO streamsets.job_template (sch_job_template_id, platform, description, required_parameters, max_wait,
                                                 source_runtime_parameters, destination_runtime_parameters)
            VALUES ('csv_filter', 'local', 'Keeps the rows of `weather.csv` for **one city**.', '{CITY}', interval '10 minutes',
                    jsonb_build_object('INPUT_FILE', '{{input}}'), jsonb_build_object('OUTPUT_DIR', '{{output}}')),
                   ('slow_job', 'local', 'Ticks for five minutes.', '{}', interval '10 minutes', '{}', '{}');
            INSERT INTO streamsets.ingestion_pattern_job_template_relationship (ingestion_pattern_id, job_template_id)
            SELECT p.ingestion_pattern_id, t.job_template_id FROM streamsets.ingestion_pattern p
              JOIN streamsets.job_template t ON t.sch_job_template_id = CASE p.source WHEN 'csv' THEN 'csv_filter' ELSE 'slow_job' END;
            """);
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
