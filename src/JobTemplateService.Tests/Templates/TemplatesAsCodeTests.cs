using System.Net;
using System.Text.Json.Nodes;

namespace JobTemplateService.Tests;

/// <summary>`templates export` and `templates apply [--dry-run] [--prune]`: the database made to match a YAML file.</summary>
public sealed class TemplatesAsCodeTests
{
    [Fact]
    public async Task ApplyingAnExportChangesNothing()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        // Strings that read like other YAML types, and scalars of every JSON type, must come back as they were.
        await app.Database.ExecuteAsync("""
            UPDATE streamsets.job_template SET destination_runtime_parameters =
              '{"PORT": "8080", "RETRIES": 3, "RATIO": 0.5, "FLAG": "true", "ON": false, "EMPTY": "", "NULLISH": "null", "NOTE": "a: b # c", "DASH": "- x"}'
            """);
        await app.PutTemplateAsync("weather", TemplateDefinitions.WeatherToGcs("http", "s3"));
        var file = await ExportAsync(app);

        var (exit, output) = await RunAsync(app, "templates", "apply", file);

        Assert.Equal(0, exit);
        Assert.Equal(["= http-to-gcs", "= weather", "Nothing to change."], Lines(output));
        Assert.Single(await app.HistoryAsync("weather"));
        Assert.Contains("\"******\"", await File.ReadAllTextAsync(file));
        Assert.DoesNotContain("s3cret-token", await File.ReadAllTextAsync(file));
        Assert.Equal("s3cret-token", await app.Database.ScalarAsync<string>(
            "SELECT destination_connection_info ->> 'GCS_TOKEN' FROM streamsets.job_template WHERE title IS NOT NULL"));
    }

    [Fact]
    public async Task DryRunListsTheChangesAndMakesNoneThenApplyMakesThemAndPruneDeletes()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        await app.PutTemplateAsync("weather", TemplateDefinitions.WeatherToGcs("http", "s3"));
        var file = await ExportAsync(app);
        var yaml = (await File.ReadAllTextAsync(file)).Replace("title: Weather to Cloud Storage", "title: Weather, renamed");
        yaml = yaml.Replace("  http-to-gcs:", "  http-to-bq:").Replace("target-type: gcs", "target-type: bq");
        await File.WriteAllTextAsync(file, yaml);

        var (dryExit, dry) = await RunAsync(app, "templates", "apply", file, "--dry-run", "--prune");
        var unchanged = await app.Database.StringsAsync("SELECT pattern_name FROM streamsets.ingestion_pattern ORDER BY 1");
        var (exit, applied) = await RunAsync(app, "templates", "apply", file, "--prune");

        Assert.Equal(0, dryExit);
        Assert.Equal(["+ http-to-bq", "~ weather: title", "- http-to-gcs", "Dry run: 3 change(s) listed, none made."], Lines(dry));
        Assert.Equal(["http-to-gcs", "weather"], unchanged);
        Assert.Equal(0, exit);
        Assert.EndsWith("Applied 3 change(s).", applied.Trim());
        Assert.Equal(["http-to-bq", "weather"], await app.Database.StringsAsync("SELECT pattern_name FROM streamsets.ingestion_pattern ORDER BY 1"));
        Assert.StartsWith("templates apply", (await app.HistoryAsync("weather"))[0].ChangedBy);
        Assert.Equal("DELETE", (await app.HistoryAsync("http-to-gcs"))[0].Action);
    }

    [Fact]
    public async Task AnInvalidFileChangesNothingAndNamesEveryProblem()
    {
        await using var app = await TestApp.StartAsync();
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, """
            templates:
              one:
                source-type: a
                target-type: b
                platform-template-id: t
                parameters: {type: object, properties: {N: {type: integer, default: x}}}
              two:
                source-type: c
                target-type: d
                platform-template-id: "${JTS_TEST_SURELY_UNSET_VARIABLE}"
            """);

        var (exit, output) = await RunAsync(app, "templates", "apply", file);

        Assert.Equal(2, exit);
        Assert.Contains("one: parameters: The default of 'N' breaks its own schema", output);
        Assert.Contains("two: the environment variable JTS_TEST_SURELY_UNSET_VARIABLE is not set", output);
        Assert.Equal(0, await app.Database.ScalarAsync<long>("SELECT count(*) FROM streamsets.ingestion_pattern"));
    }

    [Fact]
    public async Task TheDemoTemplatesFileAppliesAndItsContractChecksTheDemoLaunch()
    {
        // Under LocalJobs' shared directory: the job may run as another user, who must write there.
        var output = Directory.CreateDirectory(Path.Combine(LocalJobs.WorkingDirectory, "demo-apply-" + Guid.NewGuid().ToString("N"))).FullName;
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(output, (UnixFileMode)Convert.ToInt32("777", 8));
        Environment.SetEnvironmentVariable("JTS_DEMO_INPUT_FILE", RepositoryFiles.Path("demo", "data", "weather.csv"));
        Environment.SetEnvironmentVariable("JTS_DEMO_OUTPUT_DIR", output);
        await using var app = await TestApp.StartAsync(LocalJobs.Command("csv_filter", $"sh '{RepositoryFiles.Path("demo", "jobs", "csv_filter.sh")}'",
            s => s["local:weather_replay"] = $"sh '{RepositoryFiles.Path("demo", "jobs", "weather_replay.sh")}'"));

        var (exit, applied) = await RunAsync(app, "templates", "apply", RepositoryFiles.Path("demo", "templates.yaml"));
        var run = await app.LaunchAsync(LaunchBodies.Body("demo-1", source: "csv", target: "csv",
            sets: [new JsonObject { ["CITY"] = "London" }, new JsonObject { ["CITY"] = "Phoenix", ["MIN_TEMPERATURE_C"] = "30" }]));
        using var refused = await app.PostJsonAsync("/v1/runs", LaunchBodies.Body("demo-2", source: "csv", target: "csv",
            sets: [new JsonObject { ["CITY"] = "Atlantis", ["MIN_TEMPERATURE_C"] = "99" }]));
        var finished = await app.WaitForRunAsync(run.RunId);

        Assert.Equal(0, exit);
        Assert.Equal(["+ demo-csv-filter", "+ demo-weather-replay", "+ demo-weather-stream", "Applied 3 change(s)."], Lines(applied));
        Assert.Equal(RunStates.Succeeded, finished.State);
        Assert.Equal(("-50", "30"), (finished.Instances[0].Parameters["MIN_TEMPERATURE_C"], finished.Instances[1].Parameters["MIN_TEMPERATURE_C"]));
        var problem = await refused.ReadProblemAsync(HttpStatusCode.UnprocessableEntity, "/problems/parameters");
        Assert.Equal(["runtime-parameters[0].CITY", "runtime-parameters[0].MIN_TEMPERATURE_C"], problem.ErrorKeys());
        var listed = (await app.GetJsonAsync("/v1/templates"))["templates"]!.AsArray().ToDictionary(t => (string)t!["pattern-name"]!);
        Assert.Equal(8, listed["demo-csv-filter"]!["parameters"]!["properties"]!["CITY"]!["enum"]!.AsArray().Count);
        Assert.Equal(["demo", "csv"], listed["demo-csv-filter"]!["tags"]!.AsArray().Select(t => (string)t!));
        var (replay, stream) = (listed["demo-weather-replay"]!, listed["demo-weather-stream"]!);
        Assert.Equal(("batch", "00:10:00", 1, "00:00:30"), ((string?)replay["kind"], (string?)replay["max-wait"],
            (int?)replay["success-criteria"]!["min-output-records"], (string?)replay["stall-after"]));
        Assert.Equal(("streaming", null), ((string?)stream["kind"], (string?)stream["max-wait"]));
    }

    private static async Task<string> ExportAsync(TestApp app)
    {
        var file = Path.Combine(TestFolders.Create("export"), "templates.yaml");
        var (exit, _) = await RunAsync(app, "templates", "export", file);
        Assert.Equal(0, exit);
        return file;
    }

    private static async Task<(int Exit, string Output)> RunAsync(TestApp app, params string[] args)
    {
        var output = new StringWriter();
        var exit = await TemplateCommands.RunAsync(app.Services, args, output, CancellationToken.None);
        return (exit, output.ToString());
    }

    private static List<string> Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}
