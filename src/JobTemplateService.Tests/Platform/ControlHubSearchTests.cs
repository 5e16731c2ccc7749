namespace JobTemplateService.Tests;

/// <summary>Finding a run's jobs by its tag as the SDK does: by the tag's org-qualified id, a page at a time.</summary>
public sealed class ControlHubSearchTests
{
    [Fact]
    public async Task RunJobsAreSearchedByTheOrganizationQualifiedTagIdAsTheSdkAsks()
    {
        await using var app = await TestApp.StartAsync();
        var platform = app.Service<ControlHubPlatform>();
        var runId = Guid.NewGuid();
        var started = await platform.StartJobsAsync(runId, "London", "Phoenix");

        var found = await platform.FindRunJobsAsync(RunHelpers.TemplateId, runId, default);

        var search = Assert.Single(app.ControlHub.Calls("GET", "/jobrunner/rest/v1/jobs")).RequestMessage!;
        string? Query(string name) => search.Query!.TryGetValue(name, out var values) ? values.Single() : null;
        Assert.Equal($"jts-run-{runId:N}:{ControlHubSimulator.OrgId}", Query("jobTag"));
        Assert.Equal(("0", "250", "CREATE_TIME", "ASC", "True"), (Query("offset"), Query("len"), Query("orderBy"), Query("order"), Query("withWrapper")));
        Assert.Null(Query("templateJobId"));
        Assert.Equal(started.Select(s => s.JobId).Order(), found!.Select(j => j.JobId).Order());
        Assert.Equal(["London", "Phoenix"], found!.Select(j => j.Parameters["CITY"]).Order());
    }

    [Fact]
    public async Task AJobWhoseTagsComeOnlyInJobTagsIsFound()
    {
        await using var app = await TestApp.StartAsync();
        var platform = app.Service<ControlHubPlatform>();
        var runId = Guid.NewGuid();
        var started = await platform.StartJobsAsync(runId, "London");
        app.ControlHub.RawTagsInAnswers = false;

        var found = await platform.FindRunJobsAsync(RunHelpers.TemplateId, runId, default);

        Assert.Equal(started[0].JobId, Assert.Single(found!).JobId);
    }

    [Fact]
    public async Task EveryPageOfTheRunsJobsIsRead()
    {
        await using var app = await TestApp.StartAsync();
        var platform = app.Service<ControlHubPlatform>();
        var runId = Guid.NewGuid();
        var started = await platform.StartJobsAsync(runId, "London", "Phoenix", "Oslo");
        app.ControlHub.MaxPageLength = 2;

        var found = await platform.FindRunJobsAsync(RunHelpers.TemplateId, runId, default);

        Assert.Equal(started.Select(s => s.JobId).Order(), found!.Select(j => j.JobId).Order());
        Assert.Equal(["0", "2"], app.ControlHub.Calls("GET", "/jobrunner/rest/v1/jobs").Select(c => c.RequestMessage!.Query!["offset"].Single()));
    }

    [Fact]
    public async Task JobsOfAnotherRunOrTemplateAreNotFound()
    {
        await using var app = await TestApp.StartAsync();
        var platform = app.Service<ControlHubPlatform>();
        var runId = Guid.NewGuid();
        await platform.StartJobsAsync(runId, "London");
        await platform.StartJobsAsync(Guid.NewGuid(), "Phoenix");

        var otherTemplate = await platform.FindRunJobsAsync("another-template:" + ControlHubSimulator.OrgId, runId, default);
        var otherRun = await platform.FindRunJobsAsync(RunHelpers.TemplateId, Guid.NewGuid(), default);

        Assert.Empty(otherTemplate!);
        Assert.Empty(otherRun!);
    }
}
