using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace JobTemplateService.Tests;

/// <summary>
/// The shipped demo jobs on demo/data/weather.csv, run by the service as README's quick start does:
/// csv_filter.sh, and weather_replay.sh, which reports its progress as it goes (and, streaming, until canceled).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class LocalDemoJobTests
{
    [Fact]
    public async Task DemoJobCountsMatchAnIndependentCountOfTheCsvAndAnUnknownCityFails()
    {
        var root = RepositoryRoot();
        var input = Path.Combine(root, "demo", "data", "weather.csv");
        var output = TestFolders.Create("demo-output");
        File.SetUnixFileMode(output, (UnixFileMode)Convert.ToInt32("777", 8)); // as root, the job runs as another user
        await using var app = await TestApp.StartAsync(LocalJobs.Command("csv_filter", $"sh '{Path.Combine(root, "demo", "jobs", "csv_filter.sh")}'"));
        await app.Database.LocalTemplateAsync("csv_filter",
            sourceParameters: new JsonObject { ["INPUT_FILE"] = input, ["OUTPUT_DIR"] = output }.ToJsonString());
        var expected = Count(input, "London");

        var launched = await app.LaunchAsync(LocalJobs.Body("demo-1",
            new JsonObject { ["CITY"] = "London" }, new JsonObject { ["CITY"] = "Atlantis" }));
        var run = await app.WaitForRunAsync(launched.RunId);

        Assert.Equal(RunStates.Failed, run.State);
        var london = run.Instances.Single(i => i.Parameters["CITY"] == "London");
        Assert.Equal(InstanceStates.Succeeded, london.State);
        Assert.Equal((expected.Input, expected.Output, expected.Errors),
            (london.Metrics!.InputRecordCount, london.Metrics.OutputRecordCount, london.Metrics.ErrorRecordCount));
        Assert.Equal(expected.Output + 1, File.ReadAllLines(Path.Combine(output, $"{run.RunId}-London.csv")).Length);
        var atlantis = run.Instances.Single(i => i.Parameters["CITY"] == "Atlantis");
        Assert.Equal(InstanceStates.Failed, atlantis.State);
        Assert.StartsWith("Exited with code 3: csv_filter: no row has city 'Atlantis'", atlantis.Error);
        Assert.Equal((expected.Input, 0L, expected.Errors),
            (atlantis.Metrics!.InputRecordCount, atlantis.Metrics.OutputRecordCount, atlantis.Metrics.ErrorRecordCount));
    }

    [Fact]
    public async Task TheReplayJobReportsProgressAsItGoesEndingWithTheCountsOfTheWholeFile()
    {
        var root = RepositoryRoot();
        var input = Path.Combine(root, "demo", "data", "weather.csv");
        await using var app = await TestApp.StartAsync(LocalJobs.Command("weather_replay",
            $"sh '{Path.Combine(root, "demo", "jobs", "weather_replay.sh")}'", s => s["Metrics:SnapshotInterval"] = "00:00:00"));
        await app.Database.LocalTemplateAsync("weather_replay",
            sourceParameters: new JsonObject { ["INPUT_FILE"] = input, ["DURATION_SECONDS"] = "3" }.ToJsonString());
        var expected = Count(input, "London");

        var launched = await app.LaunchAsync(LocalJobs.Body("replay-1", new JsonObject { ["CITY"] = "London" }));
        var run = await app.WaitForRunAsync(launched.RunId);
        var progress = (await app.ReadLogAsync(run.RunId)).Lines.Count(l => l.Text.StartsWith("JTS_METRICS ", StringComparison.Ordinal));
        var snapshots = (await app.SnapshotsAsync(run.RunId)).Snapshots;

        Assert.Equal(InstanceStates.Succeeded, run.Instances[0].State);
        Assert.Equal((expected.Input, expected.Output, expected.Errors), (run.Instances[0].Metrics!.InputRecordCount,
            run.Instances[0].Metrics!.OutputRecordCount, run.Instances[0].Metrics!.ErrorRecordCount));
        Assert.Equal(31, progress); // one before the first batch, one after each of 30
        Assert.True(snapshots.Count >= 2, $"{snapshots.Count} snapshot(s)");
        Assert.Equal(snapshots.OrderBy(s => s.Input), snapshots);
    }

    [Fact]
    public async Task TheStreamingReplayRunsUntilCanceledAndThenEndsStopped()
    {
        var root = RepositoryRoot();
        await using var app = await TestApp.StartAsync(LocalJobs.Command("weather_replay",
            $"sh '{Path.Combine(root, "demo", "jobs", "weather_replay.sh")}'"));
        await app.Database.LocalTemplateAsync("weather_replay", sourceParameters: new JsonObject
        {
            ["INPUT_FILE"] = Path.Combine(root, "demo", "data", "weather.csv"), ["DURATION_SECONDS"] = "2", ["LOOP"] = "1",
        }.ToJsonString(), extraColumns: ", kind", extraValues: ", 'streaming'");

        var launched = await app.LaunchAsync(LocalJobs.Body("stream-1"));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while ((await app.GetRunAsync(launched.RunId)).Instances[0].LiveMetrics is not { Input: > 1208 })
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the replay did not start its second pass within 30 s");
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
        await app.CancelAsync(launched.RunId);
        var run = await app.WaitForRunAsync(launched.RunId);

        Assert.Equal(RunStates.Stopped, run.State);
        Assert.True(run.Instances[0].Metrics!.InputRecordCount > 1208, $"{run.Instances[0].Metrics!.InputRecordCount} rows: not past the first pass");
        Assert.Contains((await app.ReadLogAsync(run.RunId)).Lines, l => l.Text.StartsWith("weather_replay: stopped after", StringComparison.Ordinal));
    }

    /// <summary>Rows read (non-blank lines after the header), rows kept for the city, malformed rows.</summary>
    private static (long Input, long Output, long Errors) Count(string csv, string city)
    {
        var lines = File.ReadAllLines(csv);
        var header = lines[0].Split(',').Select(h => h.Trim().ToLowerInvariant()).ToList();
        var (cityColumn, temperatureColumn) = (header.IndexOf("city"), header.IndexOf("temperature_c"));
        var rows = lines.Skip(1).Where(l => !string.IsNullOrWhiteSpace(l)).Select(l => l.Split(',')).ToList();
        var valid = rows.Where(f => f.Length == header.Count && Number().IsMatch(f[temperatureColumn].Trim())).ToList();
        return (rows.Count, valid.Count(f => f[cityColumn].Trim() == city), rows.Count - valid.Count);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "demo", "jobs", "csv_filter.sh"))) return directory.FullName;
        }
        throw new InvalidOperationException($"No demo/jobs/csv_filter.sh above {AppContext.BaseDirectory}");
    }

    [GeneratedRegex(@"^-?[0-9]+(\.[0-9]+)?$")]
    private static partial Regex Number();
}
