namespace JobTemplateService.Benchmarks;

/// <summary>Runs every scenario in turn and writes the report; a scenario that fails is reported as such and the rest still run.</summary>
internal static class Driver
{
    public static async Task<int> RunAsync(BenchSettings settings)
    {
        var postgres = new Postgres(settings);
        var machine = await Machine.DescribeAsync(postgres);
        var report = new Report(settings, machine, Machine.LoadAverage(), DateTime.UtcNow);
        Log.Info($"{(settings.Smoke ? "smoke" : "full")} run on {machine.Cpu}, {machine.Cores} cores; load average {report.LoadBefore}");
        using var control = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        report.Launch = await Attempt("launch", report, () => new LaunchScenario(settings, postgres, control).RunAsync());
        report.Monitor = await Attempt("monitor", report, () => new MonitorScenario(settings, postgres, control).RunAsync());
        report.Queries = await Attempt("queries", report, () => new QueryScenario(settings, postgres, control).RunAsync());
        report.Series = await Attempt("series", report, () => new SeriesScenario(settings, postgres, control).RunAsync());
        report.Stops = await Attempt("stops", report, () => new StopsScenario(settings, postgres, control).RunAsync());
        report.Startup = await Attempt("startup", report, () => new StartupScenario(settings, postgres, control).RunAsync());
        report.Console = await Attempt("console", report, () => new ConsoleScenario(settings, postgres, control).RunAsync());

        report.LoadAfter = Machine.LoadAverage();
        var markdown = report.ToMarkdown();
        await File.WriteAllTextAsync(settings.Output, markdown);
        Log.Info($"wrote {settings.Output}; load average {report.LoadAfter}");
        return report.Failures.Count == 0 ? 0 : 1;
    }

    private static async Task<T?> Attempt<T>(string scenario, Report report, Func<Task<T>> run) where T : class
    {
        if (!report.Settings.Scenarios.Contains(scenario)) return null;
        try
        {
            Log.Info($"== {scenario}");
            return await run();
        }
        catch (Exception ex)
        {
            Log.Info($"{scenario} FAILED: {ex}");
            report.Failures.Add($"{scenario}: {ex.GetType().Name}: {ex.Message}");
            return null;
        }
    }
}
