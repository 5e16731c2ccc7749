using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace JobTemplateService.Tests;

/// <summary>A repeated launch replays the first answer; a different request under the same key is refused.</summary>
public sealed class LaunchIdempotencyTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("launch-7d1c")]
    public async Task IdenticalRepeatReplaysTheFirstAnswerWithoutLaunchingAgain(string? key)
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        using var first = await app.PostRawAsync("/v1/runs", Seed.TwoCityBody, key);
        var firstBody = await first.Content.ReadAsStringAsync();

        using var repeat = await app.PostRawAsync("/v1/runs", Seed.TwoCityBody, key);

        Assert.Equal((HttpStatusCode.Accepted, HttpStatusCode.Accepted), (first.StatusCode, repeat.StatusCode));
        Assert.Equal(firstBody, await repeat.Content.ReadAsStringAsync());
        Assert.Equal(first.Headers.Location, repeat.Headers.Location);
        Assert.Equal(["true"], repeat.Headers.GetValues("Idempotent-Replayed"));
        Assert.Equal(1, app.ControlHub.CreateCalls);
        Assert.Equal(1L, await app.Database.ScalarAsync<long>("SELECT count(*) FROM streamsets.run"));
    }

    [Fact]
    public async Task IdenticalRepeatOnTheOriginalEndpointAnswersOkWithTheSameRun()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        using var first = await app.PostRawAsync("/streamsets/job-template-runner", Seed.TwoCityBody);

        using var repeat = await app.PostRawAsync("/streamsets/job-template-runner", Seed.TwoCityBody);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, repeat.StatusCode));
        using var firstJson = JsonDocument.Parse(await first.Content.ReadAsStringAsync());
        using var repeatJson = JsonDocument.Parse(await repeat.Content.ReadAsStringAsync());
        Assert.Equal("OK", repeatJson.RootElement.GetProperty("status").GetString());
        Assert.Equal(firstJson.RootElement.GetProperty("run-id").GetGuid(), repeatJson.RootElement.GetProperty("run-id").GetGuid());
        Assert.Equal(1, app.ControlHub.CreateCalls);
    }

    [Fact]
    public async Task SameUserRunIdWithADifferentBodyIsRefusedWithoutLaunching()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        using var first = await app.PostJsonAsync("/v1/runs", LaunchBodies.Body("run-1", sets: LaunchBodies.City("London")));

        using var second = await app.PostJsonAsync("/v1/runs", LaunchBodies.Body("run-1", sets: LaunchBodies.City("Paris")));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        await second.ReadProblemAsync(HttpStatusCode.UnprocessableEntity, "/problems/idempotency-mismatch");
        Assert.Equal(1, app.ControlHub.CreateCalls);
        Assert.Equal(1L, await app.Database.ScalarAsync<long>("SELECT count(*) FROM streamsets.run"));
    }

    [Fact]
    public async Task SameIdempotencyKeyWithADifferentBodyIsRefusedWithoutLaunching()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        using var first = await app.PostJsonAsync("/v1/runs", LaunchBodies.Body("run-1"), idempotencyKey: "nightly-42");

        using var second = await app.PostJsonAsync("/v1/runs", LaunchBodies.Body("run-2"), idempotencyKey: "nightly-42");

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        await second.ReadProblemAsync(HttpStatusCode.UnprocessableEntity, "/problems/idempotency-mismatch");
        Assert.Equal(1, app.ControlHub.CreateCalls);
    }

    [Fact]
    public async Task IdenticalLaunchWhileTheFirstIsStillStartingIsToldItIsInFlight()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        var creating = new TaskCompletionSource();
        app.ControlHub.OnCreate = _ =>
        {
            creating.TrySetResult();
            return CreateAnswer.SlowAfterCreating(TimeSpan.FromSeconds(1));
        };
        var first = app.PostRawAsync("/v1/runs", Seed.TwoCityBody);
        await creating.Task.WaitAsync(TimeSpan.FromSeconds(30));

        using var second = await app.PostRawAsync("/v1/runs", Seed.TwoCityBody);

        await second.ReadProblemAsync(HttpStatusCode.Conflict, "/problems/idempotency-in-flight");
        Assert.NotNull(second.Headers.RetryAfter);
        using var firstResponse = await first;
        Assert.Equal(HttpStatusCode.Accepted, firstResponse.StatusCode);
        Assert.Equal(1, app.ControlHub.CreateCalls);
    }

    [Fact]
    public async Task DifferentIdempotencyKeysLaunchTheSameBodyTwice()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        using var first = await app.PostRawAsync("/v1/runs", Seed.TwoCityBody, "monday");

        using var second = await app.PostRawAsync("/v1/runs", Seed.TwoCityBody, "tuesday");

        var firstRun = (await first.Content.ReadFromJsonAsync<RunResource>(Json.Options))!;
        var secondRun = (await second.Content.ReadFromJsonAsync<RunResource>(Json.Options))!;
        Assert.Equal((HttpStatusCode.Accepted, HttpStatusCode.Accepted), (first.StatusCode, second.StatusCode));
        Assert.NotEqual(firstRun.RunId, secondRun.RunId);
        Assert.Equal(2, app.ControlHub.CreateCalls);
        Assert.Equal(4, app.ControlHub.Jobs.Count);
    }
}
