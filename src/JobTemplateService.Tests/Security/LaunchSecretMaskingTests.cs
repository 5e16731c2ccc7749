using System.Net;
using System.Net.Http.Json;

namespace JobTemplateService.Tests;

/// <summary>Secret values reach Control Hub and nowhere else: not the answers, not the stored parameters.</summary>
public sealed class LaunchSecretMaskingTests
{
    private const string TemplateSecret = "sa-json-7f3c91d2";
    private const string CallerSecret = "caller-api-key-5be0a4";

    [Fact]
    public async Task TemplateDeclaredSecretIsSentToControlHubButMaskedEverywhereElse()
    {
        await using var app = await SecretTemplateAppAsync();

        using var response = await app.PostJsonAsync("/v1/runs", LaunchBodies.Body());
        var text = await response.Content.ReadAsStringAsync();
        var run = await app.GetRunAsync(Guid.Parse(response.Headers.Location!.OriginalString.Split('/')[^1]));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(TemplateSecret, Sent(app)["GCS_SERVICE_ACCOUNT"]);
        Assert.DoesNotContain(TemplateSecret, text);
        Assert.Equal(SecretMasker.Mask, Assert.Single(run.Instances).Parameters["GCS_SERVICE_ACCOUNT"]);
        Assert.Equal("conn-1", run.Instances[0].Parameters["GCS_CONNECTION"]);
        await AssertNotStoredAsync(app, TemplateSecret, "GCS_SERVICE_ACCOUNT");
    }

    [Fact]
    public async Task CallerValueForASecretLookingKeyIsSentToControlHubButMaskedEverywhereElse()
    {
        await using var app = await SecretTemplateAppAsync();
        var set = LaunchBodies.City("London");
        set["WEATHER_API_KEY"] = CallerSecret;

        using var response = await app.PostJsonAsync("/streamsets/job-template-runner", LaunchBodies.Body(sets: set));
        var text = await response.Content.ReadAsStringAsync();
        var run = await app.GetRunAsync(Guid.Parse(response.Headers.Location!.OriginalString.Split('/')[^1]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(CallerSecret, Sent(app)["WEATHER_API_KEY"]);
        Assert.DoesNotContain(CallerSecret, text);
        Assert.Equal(SecretMasker.Mask, Assert.Single(run.Instances).Parameters["WEATHER_API_KEY"]);
        await AssertNotStoredAsync(app, CallerSecret, "WEATHER_API_KEY");
    }

    [Fact]
    public async Task SecondStartAfterAnUnclearOneResendsTheRealTemplateSecret()
    {
        await using var app = await SecretTemplateAppAsync();
        var creates = 0;
        app.ControlHub.OnCreate = _ => Interlocked.Increment(ref creates) == 1 ? CreateAnswer.ServerErrorWithoutCreating() : CreateAnswer.Ok;
        using var response = await app.PostJsonAsync("/v1/runs", LaunchBodies.Body());
        var runId = (await response.Content.ReadFromJsonAsync<RunResource>(Json.Options))!.RunId;

        await app.MonitorPassAsync();
        await app.ElapseReconcileWaitAsync();
        await app.MonitorPassAsync();
        var run = await app.GetRunAsync(runId);

        Assert.Equal(2, app.ControlHub.CreateCalls);
        Assert.Equal(TemplateSecret, app.ControlHub.CreateBodies[1]["runtimeParametersList"]![0]!["GCS_SERVICE_ACCOUNT"]!.GetValue<string>());
        Assert.Equal(InstanceStates.Running, Assert.Single(run.Instances).State);
    }

    [Fact]
    public async Task SecondStartIsRefusedRatherThanSendingAMaskedCallerSecret()
    {
        await using var app = await SecretTemplateAppAsync();
        app.ControlHub.OnCreate = _ => CreateAnswer.ServerErrorWithoutCreating();
        var set = LaunchBodies.City("London");
        set["WEATHER_API_KEY"] = CallerSecret;
        using var response = await app.PostJsonAsync("/v1/runs", LaunchBodies.Body(sets: set));
        var runId = (await response.Content.ReadFromJsonAsync<RunResource>(Json.Options))!.RunId;

        await app.MonitorPassAsync();
        await app.ElapseReconcileWaitAsync();
        await app.MonitorPassAsync();
        var run = await app.GetRunAsync(runId);

        Assert.Equal(1, app.ControlHub.CreateCalls);
        var instance = Assert.Single(run.Instances);
        Assert.Equal(InstanceStates.StartFailed, instance.State);
        Assert.Contains("secret", instance.Error, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(RunStates.Failed, run.State);
    }

    [Fact]
    public async Task RejectionOfALockedSecretKeyDoesNotEchoTheValue()
    {
        await using var app = await SecretTemplateAppAsync();
        var set = LaunchBodies.City("London");
        set["GCS_SERVICE_ACCOUNT"] = CallerSecret;

        using var response = await app.PostJsonAsync("/v1/runs", LaunchBodies.Body(sets: set));

        var problem = await response.ReadProblemAsync(HttpStatusCode.UnprocessableEntity, "/problems/parameters");
        Assert.Equal(["runtime-parameters[0].GCS_SERVICE_ACCOUNT"], problem.ErrorKeys());
        Assert.DoesNotContain(CallerSecret, problem.GetRawText());
        Assert.DoesNotContain(TemplateSecret, problem.GetRawText());
    }

    private static async Task<TestApp> SecretTemplateAppAsync()
    {
        var app = await TestApp.StartAsync();
        await app.Database.TemplateAsync("http", "gcs", Seed.ExampleTemplateId,
            destinationConnection: $$"""{"GCS_CONNECTION": "conn-1", "GCS_SERVICE_ACCOUNT": "{{TemplateSecret}}"}""",
            extraColumns: ", secret_parameters", extraValues: ", ARRAY['GCS_SERVICE_ACCOUNT']");
        return app;
    }

    private static Dictionary<string, string> Sent(TestApp app) =>
        Assert.Single(app.ControlHub.CreateBodies)["runtimeParametersList"]![0]!.AsObject()
            .ToDictionary(p => p.Key, p => p.Value!.GetValue<string>());

    private static async Task AssertNotStoredAsync(TestApp app, string secret, string key)
    {
        var stored = await app.Database.StringsAsync(
            $"SELECT parameters::text FROM streamsets.run_instance UNION ALL SELECT coalesce(response_body, '') FROM streamsets.launch_request");
        Assert.NotEmpty(stored);
        Assert.All(stored, text => Assert.DoesNotContain(secret, text));
        Assert.Equal([SecretMasker.Mask], await app.Database.StringsAsync($"SELECT parameters->>'{key}' FROM streamsets.run_instance"));
    }
}
