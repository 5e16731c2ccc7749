using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Polly.CircuitBreaker;

namespace JobTemplateService.Tests;

public sealed class ControlHubPlatformTests
{
    [Fact]
    public async Task StartTurnsIssuesAnswerIntoPlatformRejectedException()
    {
        await using var app = await TestApp.StartAsync();
        app.ControlHub.OnCreate = _ => CreateAnswer.Rejected("JOBRUNNER_66", "Job template is not valid: no pipeline committed");

        var failure = await Record.ExceptionAsync(() => app.Service<ControlHubPlatform>().StartJobsAsync("London"));

        var rejected = Assert.IsType<PlatformRejectedException>(failure);
        Assert.Equal((PlatformNames.ControlHub, "JOBRUNNER_66", "Job template is not valid: no pipeline committed"),
            (rejected.Platform, rejected.Code, rejected.PlatformMessage));
        Assert.Equal(1, app.ControlHub.CreateCalls);
    }

    [Fact]
    public async Task LaunchRejectedByControlHubAnswers502WithItsCodeAndMessage()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.TemplateAsync("http", "gcs", RunHelpers.TemplateId);
        app.ControlHub.OnCreate = _ => CreateAnswer.Rejected("JOBRUNNER_66", "Job template is not valid: no pipeline committed");

        using var response = await app.Client.PostAsJsonAsync("/v1/runs", LaunchBody());
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        var states = await app.Database.QueryAsync<string>("SELECT state FROM streamsets.run_instance");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("JOBRUNNER_66", problem!["platform-code"]!.GetValue<string>());
        Assert.Equal("Job template is not valid: no pipeline committed", problem["platform-message"]!.GetValue<string>());
        Assert.Equal([InstanceStates.StartFailed], states);
    }

    [Fact]
    public async Task OtherControlHubErrorsStayControlHubExceptions()
    {
        await using var app = await TestApp.StartAsync();
        app.ControlHub.OnCreate = _ => CreateAnswer.ServerErrorWithoutCreating();

        var missingJob = await Record.ExceptionAsync(() => app.Service<ControlHubClient>().GetJobAsync("no-such-job:org", default));
        var serverError = await Record.ExceptionAsync(() => app.Service<ControlHubPlatform>().StartJobsAsync("London"));

        var notFound = Assert.IsType<ControlHubException>(missingJob);
        Assert.Equal((404, "JOBRUNNER_01"), (notFound.StatusCode, notFound.Code));
        Assert.Contains("no-such-job:org", notFound.PlatformMessage);
        Assert.Equal(500, Assert.IsType<ControlHubException>(serverError).StatusCode);
    }

    [Fact]
    public async Task OpenCircuitRefusesLaunchWith503AndWritesNoRun()
    {
        await using var app = await TestApp.StartAsync(s =>
        {
            s["ControlHubClient:BreakerMinimumThroughput"] = "2";
            s["ControlHubClient:BreakerFailureRatio"] = "0.5";
            s["ControlHubClient:ReadRetries"] = "0";
        });
        await app.Database.TemplateAsync("http", "gcs", RunHelpers.TemplateId);
        var platform = app.Service<ControlHubPlatform>();
        app.ControlHub.FailingStatusCalls = 2;
        await Assert.ThrowsAsync<ControlHubException>(() => platform.GetStatusesAsync(["a"], default));
        await Assert.ThrowsAsync<ControlHubException>(() => platform.GetStatusesAsync(["a"], default));

        using var response = await app.Client.PostAsJsonAsync("/v1/runs", LaunchBody());
        var runs = await app.Database.QuerySingleAsync<long>("SELECT count(*) FROM streamsets.run");
        var requests = await app.Database.QuerySingleAsync<long>("SELECT count(*) FROM streamsets.launch_request");
        var nextRead = await Record.ExceptionAsync(() => platform.GetStatusesAsync(["a"], default));

        Assert.True(platform.IsRefusingCalls);
        Assert.IsType<BrokenCircuitException>(nextRead);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, $"Retry-After: {response.Headers.RetryAfter}");
        Assert.Equal((0L, 0L), (runs, requests));
        Assert.Equal(0, app.ControlHub.CreateCalls);
    }

    [Fact]
    public async Task RecordCountsUnderKeyZeroAreReadAsTheLatestRun()
    {
        await using var app = await TestApp.StartAsync();
        var platform = app.Service<ControlHubPlatform>();
        var jobId = (await platform.StartJobsAsync("London"))[0].JobId;
        app.ControlHub.RecordCountsFor(jobId, new JsonObject
        {
            ["1"] = Counts(500, 500, 0, 0, "engine-run-1", runCount: 1),
            ["0"] = Counts(30, 27, 2, 1, "engine-latest"),
            ["2"] = Counts(400, 390, 10, 0, "engine-run-2", runCount: 2),
        });

        var result = await platform.GetResultAsync(jobId, default);

        Assert.Equal((30L, 27L, 3L, "engine-latest"), (result.InputRecords, result.OutputRecords, result.ErrorRecords, result.EngineId));
    }

    [Fact]
    public async Task RecordCountsWithoutKeyZeroFallBackToTheHighestRunCount()
    {
        await using var app = await TestApp.StartAsync();
        var platform = app.Service<ControlHubPlatform>();
        var jobId = (await platform.StartJobsAsync("London"))[0].JobId;
        app.ControlHub.RecordCountsFor(jobId, new JsonObject
        {
            ["7"] = Counts(40, 40, 0, 0, "engine-run-3", runCount: 3),
            ["3"] = Counts(90, 80, 5, 5, "engine-run-2", runCount: 2),
        });

        var result = await platform.GetResultAsync(jobId, default);

        Assert.Equal((40L, 40L, 0L, "engine-run-3"), (result.InputRecords, result.OutputRecords, result.ErrorRecords, result.EngineId));
    }

    private static JsonObject Counts(long input, long output, long errors, long stageErrors, string engine, int? runCount = null)
    {
        var counts = new JsonObject
        {
            ["inputCount"] = input, ["outputCount"] = output, ["errorCount"] = errors, ["stageErrorsCount"] = stageErrors,
            ["inputM1Rate"] = 0.5, ["outputM1Rate"] = 0.5, ["errorM1Rate"] = 0.0, ["stageErrorsM1Rate"] = 0.0,
            ["sdcId"] = engine, ["pipelineVersion"] = "3", ["organization"] = ControlHubSimulator.OrgId,
        };
        if (runCount is not null) counts["runCount"] = runCount;
        return counts;
    }

    private static JsonObject LaunchBody() => new()
    {
        ["user-id"] = "ada@example.com", ["user-run-id"] = RunHelpers.UserRunId, ["source-type"] = "http", ["target-type"] = "gcs",
        ["runtime-parameters"] = new JsonArray(new JsonObject { ["CITY"] = "London" }),
    };
}
