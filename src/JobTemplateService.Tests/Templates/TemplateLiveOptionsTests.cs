using System.Net;
using System.Text.Json.Nodes;

namespace JobTemplateService.Tests;

/// <summary>
/// The live-metrics options (kind, success-criteria, stall-after, stall-action) through the admin
/// API and templates.yaml: stored in their columns, answered and exported, refused when out of
/// range, and in effect for the next launch.
/// </summary>
public sealed class TemplateLiveOptionsTests
{
    private static JsonObject Local(string command) => TemplateDefinitions.WeatherToGcs(source: LocalJobs.Source, target: LocalJobs.Target)
        .With("platform", "local").With("platform-template-id", command).With("parameters", null)
        .With("static-parameters", JsonNode.Parse("""
            {"source-runtime-parameters": {}, "destination-runtime-parameters": {}, "source-connection-info": {}, "destination-connection-info": {}}
            """))
        .With("options", new JsonObject());

    [Fact]
    public async Task OptionsAreStoredInTheirColumnsAnsweredAndAStreamingTemplateHasNoMaxWaitByDefault()
    {
        await using var app = await TestApp.StartAsync(LocalJobs.Command("feed", "sleep 600"));
        var body = Local("feed").With("options", JsonNode.Parse("""
            {"kind": "streaming", "success-criteria": {"min-output-records": 5, "max-error-ratio": 0.25},
             "stall-after": "00:15:00", "stall-action": "fail"}
            """));

        using var created = await app.PutTemplateAsync("feed", body);
        using var again = await app.PutTemplateAsync("feed", (await app.GetJsonAsync("/v1/admin/templates/feed"))["template"]!);
        var options = (await app.GetJsonAsync("/v1/admin/templates/feed"))["template"]!["options"]!;
        var discovered = (await app.GetJsonAsync("/v1/templates"))["templates"]![0]!;

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Single(await app.HistoryAsync("feed")); // sending back what was answered changes nothing
        Assert.Equal(("streaming", null, 5L, 0.25, "00:15:00", "fail"), ((string?)options["kind"], (string?)options["max-wait"],
            (long?)options["success-criteria"]!["min-output-records"], (double?)options["success-criteria"]!["max-error-ratio"],
            (string?)options["stall-after"], (string?)options["stall-action"]));
        Assert.Equal(("streaming", null, "fail"), ((string?)discovered["kind"], (string?)discovered["max-wait"], (string?)discovered["stall-action"]));
        Assert.Equal(1, await app.Database.ScalarAsync<long>("""
            SELECT count(*) FROM streamsets.job_template
             WHERE kind = 'streaming' AND max_wait IS NULL AND min_output_records = 5 AND max_error_ratio = 0.25
               AND min_input_records IS NULL AND stall_after = interval '15 minutes' AND stall_action = 'fail'
            """));
    }

    [Fact]
    public async Task OutOfRangeOptionsAreRefusedEachNamed()
    {
        await using var app = await TestApp.StartAsync(LocalJobs.Command("feed", "sleep 600"));

        using var response = await app.PutTemplateAsync("feed", Local("feed").With("options", JsonNode.Parse("""
            {"kind": "forever", "success-criteria": {"min-input-records": -1, "max-error-ratio": 1.5},
             "stall-after": "00:00:00", "stall-action": "ignore"}
            """)));
        using var unknown = await app.PutTemplateAsync("feed", Local("feed").With("options", JsonNode.Parse("""
            {"success-criteria": {"min-rows": 1}}
            """)));

        var errors = (await response.ReadProblemAsync(HttpStatusCode.BadRequest, "/problems/validation")).GetProperty("errors");
        Assert.Equal(["options.kind", "options.stall-action", "options.stall-after", "options.success-criteria",
                "options.success-criteria.max-error-ratio"],
            errors.EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
        await unknown.ReadProblemAsync(HttpStatusCode.BadRequest, "/problems/validation");
        Assert.Equal(0, await app.Database.ScalarAsync<long>("SELECT count(*) FROM streamsets.job_template"));
    }

    [Fact]
    public async Task ASuccessCriterionSetThroughTheApiDecidesTheNextRun()
    {
        await using var app = await TestApp.StartAsync(LocalJobs.Command("counts", "echo 'JTS_METRICS input=10 output=0 errors=0'"));
        await app.PutTemplateAsync("counts", Local("counts").With("options", JsonNode.Parse("""{"success-criteria": {"min-output-records": 1}}""")));

        var launched = await app.LaunchAsync(LocalJobs.Body("criteria-1"));
        var finished = await app.WaitForRunAsync(launched.RunId);

        Assert.Equal(RunStates.Failed, finished.State);
        Assert.Contains("output 0 < min-output-records 1", finished.Instances[0].Error);
    }
}
