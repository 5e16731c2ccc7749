using System.Net;
using System.Text.Json.Nodes;

namespace JobTemplateService.Tests;

/// <summary>
/// The parameter-naming rule applies to templates saved through the admin API and templates.yaml,
/// not only at launch: a local template cannot be stored with a name its runtime interprets unless
/// it lists the name in allowed-environment-names, which round-trips and takes effect at launch.
/// </summary>
public sealed class TemplateNamingRuleTests
{
    private static JsonObject Local() => TemplateDefinitions.WeatherToGcs(source: LocalJobs.Source, target: LocalJobs.Target)
        .With("platform", "local").With("platform-template-id", "show_opts").With("parameters", null)
        .With("static-parameters", JsonNode.Parse("""
            {"source-runtime-parameters": {}, "destination-runtime-parameters": {}, "source-connection-info": {}, "destination-connection-info": {}}
            """));

    private static Task<TestApp> StartAsync() => TestApp.StartAsync(LocalJobs.Command("show_opts", "echo \"opts=$JAVA_OPTS\""));

    [Fact]
    public async Task AStaticKeyOrAContractPropertyTheRuntimeInterpretsIsRefusedWhenSaved()
    {
        await using var app = await StartAsync();

        using var loader = await app.PutTemplateAsync("loader", Local().With("static-parameters.source-runtime-parameters.LD_PRELOAD", "/tmp/x.so"));
        using var shell = await app.PutTemplateAsync("shell", Local().With("parameters", JsonNode.Parse("""
            {"type": "object", "properties": {"BASH_ENV": {"type": "string"}}}
            """)));
        using var notIdentifier = await app.PutTemplateAsync("spaces",
            Local().With("platform", "controlhub").With("static-parameters.source-runtime-parameters.A B", "x"));

        var errors = (await loader.ReadProblemAsync(HttpStatusCode.BadRequest, "/problems/validation")).GetProperty("errors");
        Assert.Contains("interpreted by the job's runtime",
            errors.GetProperty("static-parameters.source-runtime-parameters.LD_PRELOAD").ToString());
        errors = (await shell.ReadProblemAsync(HttpStatusCode.BadRequest, "/problems/validation")).GetProperty("errors");
        Assert.Contains("interpreted by the job's runtime", errors.GetProperty("parameters.properties.BASH_ENV").ToString());
        errors = (await notIdentifier.ReadProblemAsync(HttpStatusCode.BadRequest, "/problems/validation")).GetProperty("errors");
        Assert.Contains("identifier", errors.GetProperty("static-parameters.source-runtime-parameters.A B").ToString());
        Assert.Equal(0, await app.Database.ScalarAsync<long>("SELECT count(*) FROM streamsets.job_template"));
    }

    [Fact]
    public async Task AllowedEnvironmentNamesRoundTripAndLetCallersSetThatNameOnly()
    {
        await using var app = await StartAsync();
        using var refused = await app.PutTemplateAsync("opts", Local().With("parameters", JsonNode.Parse("""
            {"type": "object", "properties": {"JAVA_OPTS": {"type": "string"}}}
            """)));
        await refused.ReadProblemAsync(HttpStatusCode.BadRequest, "/problems/validation");

        using var saved = await app.PutTemplateAsync("opts", Local().With("options.allowed-environment-names", new JsonArray("JAVA_OPTS")));
        var stored = await app.GetJsonAsync("/v1/admin/templates/opts");
        var launched = await app.LaunchAsync(LocalJobs.Body("opts-1", new JsonObject { ["JAVA_OPTS"] = "-Xmx1g" }));
        using var other = await app.PostJsonAsync("/v1/runs", LocalJobs.Body("opts-2", new JsonObject { ["LD_PRELOAD"] = "/tmp/x.so" }));

        Assert.Equal(HttpStatusCode.Created, saved.StatusCode);
        Assert.Equal(["JAVA_OPTS"], stored["template"]!["options"]!["allowed-environment-names"]!.AsArray().Select(n => (string)n!));
        Assert.Equal("SUCCEEDED", (await app.WaitForRunAsync(launched.RunId)).State);
        Assert.Contains("opts=-Xmx1g", (await app.ReadLogAsync(launched.RunId)).Lines.Select(l => l.Text));
        var errors = (await other.ReadProblemAsync((HttpStatusCode)422, "/problems/parameters")).GetProperty("errors");
        Assert.Contains("interpreted by the job's runtime", errors.GetProperty("runtime-parameters[0].LD_PRELOAD").ToString());
    }
}
