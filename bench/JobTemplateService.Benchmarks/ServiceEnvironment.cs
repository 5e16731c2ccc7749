using FakeControlHub;

namespace JobTemplateService.Benchmarks;

/// <summary>
/// The service's configuration as environment variables (the same keys as database.ini, platform.ini
/// and appsettings.json): the scenario's database, the fake Control Hub, authentication off and no
/// rate limit (the load generator is one client), monitors on or off.
/// </summary>
internal sealed record ServiceEnvironment(string Url, string WorkingDirectory, IReadOnlyDictionary<string, string> Variables)
{
    public static ServiceEnvironment For(Postgres postgres, BenchDatabase database, FakeControlHubServer hub, FakeOptions fake,
        string work, int port, bool monitor, TimeSpan pollInterval, IReadOnlyDictionary<string, string>? extra = null)
    {
        var url = $"http://127.0.0.1:{port}";
        var variables = new Dictionary<string, string>
        {
            ["Urls"] = url,
            ["postgresql__host"] = postgres.Host,
            ["postgresql__port"] = postgres.Port.ToString(),
            ["postgresql__database"] = database.Name,
            ["postgresql__user"] = postgres.User,
            ["streamsets__url"] = hub.Url,
            ["streamsets__cred_id"] = fake.CredId,
            ["streamsets__cred_token"] = fake.CredToken,
            ["Security__Mode"] = "None",
            ["Security__RequestsPerSecond"] = "1000000",
            ["Security__Burst"] = "1000000",
            ["Monitor__Enabled"] = monitor ? "true" : "false",
            ["Monitor__PollInterval"] = pollInterval.ToString("c"),
            ["Monitor__StatusBatchSize"] = BenchSizes.StatusBatchSize.ToString(),
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        };
        foreach (var (name, value) in extra ?? new Dictionary<string, string>()) variables[name] = value;
        return new ServiceEnvironment(url, work, variables);
    }

    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
