namespace JobTemplateService.Benchmarks;

/// <summary>Where things are (environment variables set by bench/run.sh) and how big each scenario is.</summary>
internal sealed record BenchSettings(
    string AdminConnectionString, string TemplateDatabase, string ServiceDll, string HostDll, string Work, string Output,
    string? PostmasterPidFile, string Command, bool Smoke, BenchSizes Sizes, IReadOnlySet<string> Scenarios)
{
    public static readonly string[] AllScenarios = ["launch", "monitor", "queries", "series", "stops", "startup", "console"];

    /// <summary>Arguments: --smoke for tiny sizes; --only a,b to run some scenarios only; --repetitions N.</summary>
    public static BenchSettings FromEnvironment(string[] args)
    {
        var smoke = args.Contains("--smoke");
        var only = Option(args, "--only")?.Split(',', StringSplitOptions.RemoveEmptyEntries);
        if (only?.Except(AllScenarios).FirstOrDefault() is { } unknown)
            throw new ArgumentException($"unknown scenario '{unknown}'; the scenarios are {string.Join(", ", AllScenarios)}");
        var sizes = smoke ? BenchSizes.Smoke : BenchSizes.Full;
        if (Option(args, "--repetitions") is { } repetitions) sizes = sizes with { Repetitions = int.Parse(repetitions) };
        return new BenchSettings(
            Required("BENCH_PG"), Required("BENCH_TEMPLATE_DB"), Required("BENCH_SERVICE_DLL"),
            typeof(BenchSettings).Assembly.Location, Required("BENCH_WORK"), Required("BENCH_OUT"),
            Environment.GetEnvironmentVariable("BENCH_PG_PID_FILE"), Environment.GetEnvironmentVariable("BENCH_COMMAND") ?? "bench/run.sh", smoke,
            sizes, (only ?? AllScenarios).ToHashSet());
    }

    private static string? Option(string[] args, string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();

    private static string Required(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value
            : throw new InvalidOperationException($"{name} is not set; run the benchmarks with bench/run.sh");
}

/// <summary>Scenario sizes: the full measurement, or a tiny smoke run that only proves everything still runs.</summary>
internal sealed record BenchSizes(
    int Repetitions, TimeSpan WarmUp, TimeSpan Measure, int MeasureSlices, int[] Concurrency, int[] InstancesPerRequest,
    int MonitorInstances, int InstancesPerRun, TimeSpan MonitorMinDuration, TimeSpan MonitorMaxDuration, TimeSpan PollInterval,
    int MetricsRows, int Runs, int QueryRequests, int StartupRepetitions, int SnapshotRows, int SnapshotInstances, int StopSamples,
    TimeSpan StopDelay, int ConsoleTemplates, int LogStreams, TimeSpan LogSeconds)
{
    public const int StatusBatchSize = 100;

    public static readonly BenchSizes Full = new(
        Repetitions: 3, WarmUp: TimeSpan.FromSeconds(2), Measure: TimeSpan.FromSeconds(6), MeasureSlices: 4, Concurrency: [1, 16, 64],
        InstancesPerRequest: [1, 10], MonitorInstances: 10_000, InstancesPerRun: 10, MonitorMinDuration: TimeSpan.FromSeconds(15),
        MonitorMaxDuration: TimeSpan.FromSeconds(75), PollInterval: TimeSpan.FromSeconds(2), MetricsRows: 1_000_000, Runs: 100_000,
        QueryRequests: 2_000, StartupRepetitions: 5, SnapshotRows: 10_000_000, SnapshotInstances: 20_000, StopSamples: 40,
        StopDelay: TimeSpan.FromSeconds(3), ConsoleTemplates: 500, LogStreams: 200, LogSeconds: TimeSpan.FromSeconds(30));

    public static readonly BenchSizes Smoke = new(
        Repetitions: 1, WarmUp: TimeSpan.FromMilliseconds(300), Measure: TimeSpan.FromSeconds(1), MeasureSlices: 2, Concurrency: [1, 4],
        InstancesPerRequest: [1, 10], MonitorInstances: 100, InstancesPerRun: 10, MonitorMinDuration: TimeSpan.FromSeconds(2),
        MonitorMaxDuration: TimeSpan.FromSeconds(4), PollInterval: TimeSpan.FromSeconds(1), MetricsRows: 10_000, Runs: 1_000,
        QueryRequests: 100, StartupRepetitions: 1, SnapshotRows: 20_000, SnapshotInstances: 40, StopSamples: 3,
        StopDelay: TimeSpan.FromSeconds(1), ConsoleTemplates: 20, LogStreams: 5, LogSeconds: TimeSpan.FromSeconds(3));
}
