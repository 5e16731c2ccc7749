namespace JobTemplateService.Tests;

/// <summary>Direct platform calls, for tests of the Control Hub client below the HTTP API.</summary>
public static class PlatformCalls
{
    internal static Task<IReadOnlyList<StartedJob>> StartJobsAsync(this IJobPlatform platform, Guid runId, params string[] cities) =>
        platform.StartAsync(new StartRequest(runId, RunHelpers.TemplateId, "COUNTER", null, TimeSpan.FromHours(4), [],
            cities.Select((c, i) => new StartInstance(Guid.NewGuid(), 1, i, new Dictionary<string, string> { ["CITY"] = c })).ToList()), default);

    internal static Task<IReadOnlyList<StartedJob>> StartJobsAsync(this IJobPlatform platform, params string[] cities) =>
        platform.StartJobsAsync(Guid.NewGuid(), cities);
}
