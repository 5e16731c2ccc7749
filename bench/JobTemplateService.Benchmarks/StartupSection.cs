using System.Globalization;
using System.Text;

namespace JobTemplateService.Benchmarks;

internal static class StartupSection
{
    public static string ToMarkdown(BenchSizes sizes, IReadOnlyList<double> times)
    {
        var md = new StringBuilder();
        md.AppendLine("## Start-up").AppendLine();
        md.AppendLine($"From starting `dotnet JobTemplateService.dll` (Release publish, monitors on) to `/health/ready` answering 200, polled " +
                      $"every 10 ms; {sizes.StartupRepetitions} starts after one uncounted warm-up start.").AppendLine();
        md.AppendLine($"Median {Spread.Of(times).Format("0")} ms; each start: " +
                      string.Join(", ", times.Select(t => t.ToString("0", CultureInfo.InvariantCulture))) + " ms.").AppendLine();
        return md.ToString();
    }
}
