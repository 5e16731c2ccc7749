using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace JobTemplateService.Tests;

/// <summary>What Control Hub receives when a run is launched.</summary>
public sealed class LaunchCreateCallTests
{
    [Fact]
    public async Task CreateCallCarriesTheMergedParameterSetsAsStrings()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();

        using var response = await app.PostRawAsync("/v1/runs", Seed.TwoCityBody);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var call = Assert.Single(app.ControlHub.Calls("POST", "/createAndStartJobInstances"));
        Assert.Equal($"/jobrunner/rest/v1/job/{Seed.ExampleTemplateId}/createAndStartJobInstances",
            Uri.UnescapeDataString(call.RequestMessage!.Path));
        var sets = Assert.Single(app.ControlHub.CreateBodies)["runtimeParametersList"]!.AsArray();
        Assert.Equal(2, sets.Count);
        Assert.All(sets, set => Assert.All(set!.AsObject(), p => Assert.Equal(JsonValueKind.String, p.Value!.GetValueKind())));
        Assert.Equal(Merged("London", "UK"), Strings(sets[0]!));
        Assert.Equal(Merged("Phoenix", "US"), Strings(sets[1]!));
    }

    [Fact]
    public async Task CreateCallAttachesToTheTemplateWithCounterSuffixAndTheRunTag()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();

        using var response = await app.PostRawAsync("/v1/runs", Seed.TwoCityBody);

        var run = (await response.Content.ReadFromJsonAsync<RunResource>(Json.Options))!;
        var body = Assert.Single(app.ControlHub.CreateBodies);
        Assert.Equal("COUNTER", body["namePostfixType"]!.GetValue<string>());
        Assert.True(body["attachToTemplate"]!.GetValue<bool>());
        Assert.False(body["deleteAfterCompletion"]!.GetValue<bool>());
        Assert.Contains($"jts-run-{run.RunId:N}", body["rawJobTags"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.All(app.ControlHub.Jobs, job => Assert.Contains($"jts-run-{run.RunId:N}", job.Tags));
    }

    [Fact]
    public async Task CreateCallNeverAsksControlHubToDeleteEvenWhenTheTemplateDeletesAfterCompletion()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.TemplateAsync("http", "gcs", Seed.ExampleTemplateId, deleteAfterCompletion: true);

        using var response = await app.PostJsonAsync("/v1/runs", LaunchBodies.Body());

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.False(Assert.Single(app.ControlHub.CreateBodies)["deleteAfterCompletion"]!.GetValue<bool>());
    }

    [Fact]
    public async Task CreateCallUsesTheTemplatesInstanceNameSuffix()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.TemplateAsync("http", "gcs", Seed.ExampleTemplateId,
            extraColumns: ", instance_name_suffix, instance_name_parameter", extraValues: ", 'PARAM_VALUE', 'CITY'");

        using var response = await app.PostJsonAsync("/v1/runs",
            LaunchBodies.Body(sets: [LaunchBodies.City("London"), LaunchBodies.City("Phoenix", "US")]));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = Assert.Single(app.ControlHub.CreateBodies);
        Assert.Equal(("PARAM_VALUE", "CITY"), (body["namePostfixType"]!.GetValue<string>(), body["paramName"]!.GetValue<string>()));
        Assert.Equal([$"{app.ControlHub.TemplateName} - London", $"{app.ControlHub.TemplateName} - Phoenix"],
            app.ControlHub.Jobs.Select(j => j.Name).Order());
    }

    [Fact]
    public async Task CreateCallCarriesTheCredentialAndCsrfHeaders()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();

        using var response = await app.PostRawAsync("/v1/runs", Seed.TwoCityBody);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var headers = Assert.Single(app.ControlHub.Calls("POST", "/createAndStartJobInstances")).RequestMessage!.Headers!;
        string Header(string name) => headers.Single(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value.Single();
        Assert.Equal(ControlHubSimulator.CredId, Header("X-SS-App-Component-Id"));
        Assert.Equal(ControlHubSimulator.CredToken, Header("X-SS-App-Auth-Token"));
        Assert.Equal("true", Header("X-SS-REST-CALL"));
        Assert.False(string.IsNullOrWhiteSpace(Header("X-Requested-By")));
    }

    private static Dictionary<string, string> Merged(string city, string folder) => new()
    {
        ["HTTP_MODE"] = "POLLING",
        ["HTTP_METHOD"] = "GET",
        ["GCS_CONNECTION"] = "9c960db9-7904-47c4-bbc8-4c95dcf9c959:8030c2e9-1a39-11ec-a5fe-97c8d4369386",
        ["HTTP_URL"] = "http://api.openweathermap.org/data/2.5/weather",
        ["CITY"] = city,
        ["GCS_BUCKET"] = "146_gcs_bucket",
        ["GCS_FOLDER"] = folder,
    };

    private static Dictionary<string, string> Strings(JsonNode set) =>
        set.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>());
}
