using System.Globalization;
using System.Text;

namespace JobTemplateService.Benchmarks;

/// <summary>The Markdown report: machine and settings, the targets, then each scenario's figures as median (min–max) over the repetitions.</summary>
internal sealed class Report(BenchSettings settings, Machine machine, string loadBefore, DateTime startedAt)
{
    public BenchSettings Settings => settings;
    public string LoadBefore => loadBefore;
    public string LoadAfter { get; set; } = "";
    public LaunchResults? Launch { get; set; }
    public IReadOnlyList<MonitorRun>? Monitor { get; set; }
    public QueryResults? Queries { get; set; }
    public SeriesResults? Series { get; set; }
    public IReadOnlyList<StopsRun>? Stops { get; set; }
    public IReadOnlyList<double>? Startup { get; set; }
    public ConsoleResults? Console { get; set; }
    public List<string> Failures { get; } = [];

    public string ToMarkdown()
    {
        var sizes = settings.Sizes;
        var md = new StringBuilder();
        md.AppendLine(settings.Smoke ? "# Benchmark smoke run (tiny sizes; not a measurement)" : "# Benchmark results").AppendLine();
        md.AppendLine($"Produced by `{settings.Command}` on {startedAt:yyyy-MM-dd HH:mm} UTC in {(DateTime.UtcNow - startedAt).TotalMinutes:0} minutes. " +
                      $"Every figure is the median over {sizes.Repetitions} repetition(s), with the smallest and largest in parentheses.")
            .AppendLine();
        md.AppendLine("## Machine").AppendLine();
        md.AppendLine("| | |").AppendLine("|---|---|");
        md.AppendLine($"| CPU | {machine.Cpu}, {machine.Cores} cores |");
        md.AppendLine($"| Memory | {machine.Memory} |");
        md.AppendLine($"| OS | {machine.Os} |");
        md.AppendLine($"| .NET | {machine.Dotnet} (service: Release build, server GC as shipped) |");
        md.AppendLine($"| PostgreSQL | {machine.Postgres} ({machine.PostgresSettings}), same machine, over TCP on loopback |");
        md.AppendLine($"| Load average (1, 5, 15 min) | before {LoadBefore}; after {LoadAfter} |").AppendLine();
        md.AppendLine("The service, PostgreSQL, the fake Control Hub and the load generator share these cores: every figure includes that contention.")
            .AppendLine();

        md.Append(new TargetSection(sizes, Launch, Monitor, Queries, Startup, Series, Stops, Console).ToMarkdown());
        if (Failures.Count > 0)
        {
            md.AppendLine("## Scenarios that failed").AppendLine();
            foreach (var failure in Failures) md.AppendLine($"- {failure}");
            md.AppendLine();
        }
        if (Launch is not null) md.Append(LaunchSection.ToMarkdown(sizes, Launch));
        if (Monitor is not null) md.Append(MonitorSection.ToMarkdown(sizes, Monitor));
        if (Queries is not null) md.Append(QuerySection.ToMarkdown(sizes, Queries));
        if (Series is not null) md.Append(LiveMetricsSection.Series(sizes, Series));
        if (Stops is not null) md.Append(LiveMetricsSection.Stops(Stops));
        if (Startup is not null) md.Append(StartupSection.ToMarkdown(sizes, Startup));
        if (Console is not null) md.Append(ConsoleSection.ToMarkdown(sizes, Console));
        var notes = Path.Combine(Path.GetDirectoryName(settings.Output)!, "ANALYSIS.md");
        if (!settings.Smoke && File.Exists(notes)) md.AppendLine(File.ReadAllText(notes).Trim()).AppendLine();
        return md.ToString();
    }

    public static string Ms(double value, string format = "0.0") => value.ToString(format, CultureInfo.InvariantCulture);
}
