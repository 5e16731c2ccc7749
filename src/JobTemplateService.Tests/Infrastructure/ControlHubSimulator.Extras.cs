using System.Text.Json.Nodes;
using WireMock;
using WireMock.Logging;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace JobTemplateService.Tests;

/// <summary>Extra scripting for monitor and client tests: whole call log, slow reads, odd metric shapes, delete hooks.</summary>
public sealed partial class ControlHubSimulator
{
    /// <summary>Every request received, in the order they arrived.</summary>
    public IReadOnlyList<ILogEntry> AllCalls => server.LogEntries.ToList();

    /// <summary>Bulk status calls answer after this delay from now on.</summary>
    public void SlowStatusCalls(TimeSpan delay) =>
        Stub("POST", @"/jobrunner/rest/v1/jobs/status", Statuses, priority: 5, delay); // sch_api.ApiClient.get_jobs_status

    /// <summary>recordCountsForAllRuns answers this body for one job (other jobs keep the default answer).</summary>
    public void RecordCountsFor(string jobId, JsonObject body) =>
        Stub("GET", @"/timeseries/rest/v1/metrics/job/[^/]+/recordCountsForAllRuns", // sch_api.ApiClient.get_job_record_count_for_all_runs
            request => Segment(request, 1) == jobId ? Answer(200, JsonNode.Parse(body.ToJsonString())) : RecordCounts(request), priority: 5);

    /// <summary>Runs <paramref name="observe"/> with the job id when a delete arrives, before the job is deleted.</summary>
    public void BeforeDelete(Action<string> observe)
    {
        Stub("DELETE", @"/jobrunner/rest/v[12]/job/[^/]+", request => // sch_api.ApiClient.delete_job
        {
            observe(Segment(request, 0));
            return Delete(request);
        }, priority: 5);
        Stub("POST", @"/jobrunner/rest/v1/jobs/deleteJobs", request => // sch_api.ApiClient.delete_jobs
        {
            foreach (var id in Ids(request)) observe(id);
            return DeleteMany(request);
        }, priority: 5);
    }

    /// <summary>From now on deletes answer this status with an ISSUES body (until <see cref="FailDeletes"/> is called with null).</summary>
    public void FailDeletes(int? status)
    {
        deleteFailure = status;
    }
}

internal static class LogEntryExtensions
{
    public static string? Header(this ILogEntry entry, string name) =>
        entry.RequestMessage!.Headers?.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault();

    public static int Status(this ILogEntry entry) => Convert.ToInt32(entry.ResponseMessage!.StatusCode);

    /// <summary>"METHOD path -> status" per call, for assertion messages.</summary>
    public static string Describe(this IEnumerable<ILogEntry> entries) =>
        string.Join("; ", entries.Select(e => $"{e.RequestMessage!.Method} {e.RequestMessage.Path} -> {e.Status()}"));
}
