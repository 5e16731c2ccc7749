using System.Text;

namespace JobTemplateService.Benchmarks;

/// <summary>The console's pages and live logs: the targets they are judged on, and the figures.</summary>
internal static class ConsoleSection
{
    public static IEnumerable<(string Target, string Measured, bool? Met)> Targets(ConsoleResults console)
    {
        foreach (var (name, path) in ConsoleScenario.Pages.Where(p => p.Path is "/ui/runs" or "/ui"))
        {
            var p95 = Spread.Of(console.Pages[name], p => p.P95);
            yield return ($"Console `{path}`, {console.Runs:N0} runs and {console.Templates:N0} templates: p95 ≤ 100 ms", $"{p95.Format("0.0")} ms",
                p95.Median <= 100);
        }
        foreach (var stream in new[] { console.OneStream, console.ManyStreams })
            yield return ($"A printed line reaches an open log stream ({stream.Streams} open): p95 ≤ 1 s",
                $"{Report.Ms(stream.LatencyMs.P95, "0")} ms", stream.LatencyMs.P95 <= 1000);
        var many = console.ManyStreams;
        yield return ($"{many.Streams} open log streams hold no database connection each (pool connections in use)",
            $"at most {many.UsedDuring} in use while {many.Opened} were open; {many.UsedBefore} with the same jobs and none open",
            // A connection held per stream would put at least as many more in use as there are streams.
            many.Opened == many.Streams && many.UsedDuring >= 0 && many.UsedDuring - many.UsedBefore < many.Streams);
    }

    public static string ToMarkdown(BenchSizes sizes, ConsoleResults console)
    {
        var md = new StringBuilder();
        md.AppendLine("## Console").AppendLine();
        md.AppendLine($"{console.Templates:N0} templates (titles, Markdown descriptions, two of {ConsoleSeed.Tags} tags each) and {console.Runs:N0} runs " +
                      $"spread over them and the last {ConsoleSeed.Days} days, {ConsoleSeed.InstancesPerRun} finished instances each with a metrics row, " +
                      "bulk-loaded with generate_series. The service runs with API keys required; the client signs in through the sign-in form as " +
                      "a person does, and every page is read with that session cookie (so each includes the session's and the key's look-ups). " +
                      $"{sizes.QueryRequests / 4:N0} requests per page and repetition, one at a time; latency is the client's on loopback, in ms, " +
                      "so it bounds the server's time from above.").AppendLine();
        md.AppendLine("| page | p50 | p95 | p99 | max |").AppendLine("|---|---|---|---|---|");
        foreach (var (name, _) in ConsoleScenario.Pages)
        {
            var runs = console.Pages[name];
            md.AppendLine($"| {name} | {Spread.Of(runs, r => r.P50).Format("0.0")} | {Spread.Of(runs, r => r.P95).Format("0.0")} | " +
                          $"{Spread.Of(runs, r => r.P99).Format("0.0")} | {Spread.Of(runs, r => r.Max).Format("0.0")} |");
        }
        md.AppendLine();
        md.AppendLine("Live logs: local jobs print the time every interval; clients follow each instance's log over Server-Sent Events " +
                      "(`GET /v1/runs/{id}/instances/{i}/log`, `Accept: text/event-stream`, the handler behind the console's log page) and take " +
                      $"each line's time from its printing to its arrival, for {sizes.LogSeconds.TotalSeconds:0} s. Every 250 ms the pool's connections " +
                      "in use (`jts_database_connections{state=\"used\"}` on `/metrics`, as Npgsql counts them; the notification listener holds one " +
                      "for good) and the service's connections to the database (`pg_stat_activity`, the pool's idle ones included) are counted: for 3 s " +
                      "while every job runs and no stream is open, then while the streams are open. Opening the streams at once looks up their " +
                      "instances at once, so the pool grows; those connections go back idle.").AppendLine();
        md.AppendLine("| open streams | a line every | lines | p50 | p95 | p99 | max | pool connections in use: no stream / streams open | database connections: no stream / streams open |")
            .AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var s in new[] { console.OneStream, console.ManyStreams })
            md.AppendLine($"| {s.Opened} of {s.Streams} | {s.Every.TotalMilliseconds:0} ms | {s.LatencyMs.Count:N0} | {Report.Ms(s.LatencyMs.P50, "0")} | " +
                          $"{Report.Ms(s.LatencyMs.P95, "0")} | {Report.Ms(s.LatencyMs.P99, "0")} | {Report.Ms(s.LatencyMs.Max, "0")} | " +
                          $"{s.UsedBefore} / {s.UsedDuring} | {s.ConnectionsBefore} / {s.ConnectionsDuring} |");
        md.AppendLine();
        return md.ToString();
    }
}
