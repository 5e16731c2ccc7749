using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using FakeControlHub;

namespace JobTemplateService.Benchmarks;

/// <summary>
/// The web console: its pages one at a time over a large history, signed in as a person is (an API
/// key exchanged for a session cookie), and live log streams of local jobs that print the time
/// they print each line (<see cref="LogStreams"/>).
/// </summary>
internal sealed partial class ConsoleScenario(BenchSettings settings, Postgres postgres, HttpClient control)
{
    public const string AdminKey = "bench-console-bootstrap-admin-key-0123456789";

    public static readonly (string Name, string Path)[] Pages =
    [
        ("`GET /ui/runs` (newest 25 runs)", "/ui/runs"),
        ("`GET /ui/runs?state=FAILED`", "/ui/runs?state=FAILED"),
        ("`GET /ui` (job library)", "/ui"),
        ("`GET /ui?q=tag-3` (library search)", "/ui?q=tag-3"),
    ];

    public async Task<ConsoleResults> RunAsync()
    {
        var sizes = settings.Sizes;
        await using var database = await postgres.CreateDatabaseAsync("bench_console");
        var loading = Stopwatch.StartNew();
        await ConsoleSeed.LoadAsync(database, sizes.ConsoleTemplates, sizes.Runs);
        var counts = (await database.QueryAsync<(long Templates, long Runs)>(
            "SELECT (SELECT count(*) FROM streamsets.job_template), (SELECT count(*) FROM streamsets.run)"))[0];
        Log.Info($"console: loaded {counts.Templates:N0} templates and {counts.Runs:N0} runs in {loading.Elapsed.TotalSeconds:0} s");

        var fake = new FakeOptions();
        await using var hub = await FakeControlHubServer.StartAsync(fake);
        var environment = ServiceEnvironment.For(postgres, database, hub, fake, settings.Work, ServiceEnvironment.FreePort(),
            monitor: true, sizes.PollInterval);
        environment = environment with { Variables = new Dictionary<string, string>(environment.Variables)
        {
            ["Security__Mode"] = "ApiKeys", ["Security__BootstrapAdminKey"] = AdminKey,
            ["LocalPlatform__MaxConcurrentProcesses"] = (sizes.LogStreams + 10).ToString(), ["LocalPlatform__AllowRoot"] = "true",
            [$"local__{LogStreams.Command}"] = LogStreams.CommandLine,
        } };
        await using var service = ServiceProcess.Start(settings.ServiceDll, [], environment, Path.Combine(settings.Work, "console-service.log"));
        await service.WaitReadyAsync(control, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(100));

        using var browser = await SignInAsync(service.Url);
        foreach (var (_, path) in Pages) await SequentialAsync(browser, service.Url + path, sizes.QueryRequests / 10);
        var pages = Pages.ToDictionary(p => p.Name, _ => new List<Percentiles>());
        for (var repetition = 1; repetition <= sizes.Repetitions; repetition++)
        {
            foreach (var (name, path) in Pages)
            {
                pages[name].Add(await SequentialAsync(browser, service.Url + path, sizes.QueryRequests / 4));
                Log.Info($"console rep {repetition}: {path} p50 {pages[name][^1].P50:0.0} p95 {pages[name][^1].P95:0.0} ms");
            }
        }

        var streams = new LogStreams(service.Url, AdminKey, settings.AdminConnectionString, database, sizes.LogSeconds);
        var one = await streams.RunAsync(1, TimeSpan.FromMilliseconds(250));
        var many = await streams.RunAsync(sizes.LogStreams, TimeSpan.FromSeconds(1));
        return new ConsoleResults(counts.Templates, counts.Runs, pages, one, many);
    }

    /// <summary>A person's browser: the sign-in form (with its anti-forgery token) exchanges the key for a session cookie.</summary>
    private static async Task<HttpClient> SignInAsync(string url)
    {
        using (var admin = new HttpClient())
        {
            admin.DefaultRequestHeaders.Authorization = new("Bearer", AdminKey);
            using var created = await admin.PostAsync($"{url}/v1/admin/api-keys",
                new StringContent("""{"name": "bench-console", "scopes": ["read", "launch"]}""", System.Text.Encoding.UTF8, "application/json"));
            var body = await created.Content.ReadAsStringAsync();
            if (!created.IsSuccessStatusCode) throw new InvalidOperationException($"creating a key answered {(int)created.StatusCode}: {body}");
            var key = System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("key").GetString()!;
            var browser = new HttpClient(new SocketsHttpHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false });
            var form = await browser.GetStringAsync($"{url}/ui/sign-in");
            var token = AntiforgeryToken().Match(form).Groups[1].Value;
            using var signedIn = await browser.PostAsync($"{url}/ui/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["key"] = key, ["return"] = "/ui", ["__RequestVerificationToken"] = token,
            }));
            if (signedIn.StatusCode != HttpStatusCode.Redirect) throw new InvalidOperationException($"signing in answered {(int)signedIn.StatusCode}");
            return browser;
        }
    }

    /// <summary>One page at a time; every answer must be 200. Latency is the client's, on loopback.</summary>
    private static async Task<Percentiles> SequentialAsync(HttpClient browser, string url, int count)
    {
        var latencies = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            var sent = Stopwatch.GetTimestamp();
            using var response = await browser.GetAsync(url);
            var body = await response.Content.ReadAsStringAsync();
            latencies.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
            if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"{url} answered {(int)response.StatusCode}: {body[..Math.Min(300, body.Length)]}");
        }
        return Percentiles.Of(latencies);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}

internal sealed record ConsoleResults(long Templates, long Runs, IReadOnlyDictionary<string, List<Percentiles>> Pages,
    StreamResult OneStream, StreamResult ManyStreams);
