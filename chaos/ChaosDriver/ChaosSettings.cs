namespace ChaosDriver;

/// <summary>What chaos/run.sh prepared: where things are and which ports they use (environment variables).</summary>
internal sealed record ChaosSettings
{
    public required string Root { get; init; }
    public required string Work { get; init; }
    public required string ServiceDll { get; init; }
    public required string FakeDll { get; init; }
    public required int[] ServicePorts { get; init; }
    public required int FakePort { get; init; }
    public required int PgPort { get; init; }
    public required string PgUser { get; init; }
    public required string Database { get; init; }
    public required string TemplateId { get; init; }
    public string? ResultsFile { get; init; }
    public int Seed { get; init; }
    public int Workers { get; init; } = 4;

    /// <summary>The fake's credential: the token is a JWT naming organization 8030c2e9-… in its "o" claim, as Control Hub's are.</summary>
    public const string CredId = "chaos-cred-id",
        CredToken = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJvIjoiODAzMGMyZTktMWEzOS0xMWVjLWE1ZmUtOTdjOGQ0MzY5Mzg2IiwicyI6ImNoYW9zLWNyZWQtaWQifQ.Y2hhb3Mtc2lnbmF0dXJl";

    public string FakeUrl => $"http://127.0.0.1:{FakePort}";

    public string ConnectionString =>
        $"Host=127.0.0.1;Port={PgPort};Username={PgUser};Database={Database};Application Name=chaos-driver;Timeout=5;Command Timeout=30";

    public static ChaosSettings FromEnvironment()
    {
        static string Get(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value : throw new InvalidOperationException($"{name} is not set; run the suite with chaos/run.sh");
        return new ChaosSettings
        {
            Root = Get("CHAOS_ROOT"), Work = Get("CHAOS_WORK"), ServiceDll = Get("CHAOS_SERVICE_DLL"), FakeDll = Get("CHAOS_FAKE_DLL"),
            ServicePorts = Get("CHAOS_SERVICE_PORTS").Split(',').Select(int.Parse).ToArray(), FakePort = int.Parse(Get("CHAOS_FAKE_PORT")),
            PgPort = int.Parse(Get("PG_PORT")), PgUser = Get("PG_USER"), Database = Get("CHAOS_DATABASE"),
            TemplateId = Get("CHAOS_TEMPLATE_ID"), ResultsFile = Environment.GetEnvironmentVariable("CHAOS_RESULTS"),
            Seed = int.TryParse(Environment.GetEnvironmentVariable("CHAOS_SEED"), out var seed) ? seed : Environment.TickCount,
            Workers = int.TryParse(Environment.GetEnvironmentVariable("CHAOS_WORKERS"), out var workers) ? workers : 4,
        };
    }

    /// <summary>The service's configuration: short intervals so that a whole failover fits in seconds.</summary>
    public Dictionary<string, string> ServiceEnvironment() => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["ConfigDirectory"] = Path.Combine(Work, "no-config-files"),
        ["postgresql__host"] = "127.0.0.1", ["postgresql__port"] = PgPort.ToString(), ["postgresql__database"] = Database,
        ["postgresql__user"] = PgUser, ["postgresql__password"] = "", ["postgresql__pool_size"] = "20",
        ["streamsets__url"] = FakeUrl, ["streamsets__cred_id"] = CredId, ["streamsets__cred_token"] = CredToken,
        ["Security__Mode"] = "None",
        ["Monitor__PollInterval"] = "00:00:01", ["Monitor__LeaseDuration"] = "00:00:10", ["Monitor__HeartbeatInterval"] = "00:00:02",
        ["Monitor__ReplicaTimeout"] = "00:00:06", ["Monitor__ReconcileGrace"] = "00:00:03", ["Monitor__RetryDelay"] = "00:00:02",
        ["ControlHubClient__LaunchTimeout"] = "00:00:05", ["ControlHubClient__ReadTimeout"] = "00:00:03",
        ["ControlHubClient__BreakerBreakDuration"] = "00:00:05",
        ["Service__InFlightTimeout"] = "00:00:15",
        ["Logging__Format"] = "json",
    };
}
