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
        Override("POST", @"/jobrunner/rest/v1/jobs/status", Statuses, delay);

    /// <summary>recordCountsForAllRuns answers this body for one job (other jobs keep the default answer).</summary>
    public void RecordCountsFor(string jobId, JsonObject body) =>
        Override("GET", @"/timeseries/rest/v1/metrics/job/[^/]+/recordCountsForAllRuns",
            request => Segment(request, 1) == jobId ? Answer(200, JsonNode.Parse(body.ToJsonString())) : RecordCounts(request));

    /// <summary>Runs <paramref name="observe"/> with the job id when a delete arrives, before the job is deleted.</summary>
    public void BeforeDelete(Action<string> observe) =>
        Override("DELETE", @"/jobrunner/rest/v1/job/[^/]+", request =>
        {
            observe(Segment(request, 0));
            return Delete(request);
        });

    private void Override(string method, string pathPattern, Func<IRequestMessage, ResponseMessage> answer, TimeSpan delay = default)
    {
        var response = Response.Create().WithCallback(request =>
        {
            if (!request.Path.StartsWith(prefix))
            {
                return Answer(308, null, ("Location", $"{Url}{prefix}{request.Path}{request.RawQuery()}"));
            }
            lock (jobs) return answer(request);
        });
        if (delay > TimeSpan.Zero) response = response.WithDelay(delay);
        server.Given(Request.Create().UsingMethod(method).WithPath(new RegexMatcher($"^(/moved)?{pathPattern}$"))
                .WithHeader("X-SS-App-Component-Id", CredId).WithHeader("X-SS-App-Auth-Token", CredToken)
                .WithHeader("X-SS-REST-CALL", "true").WithHeader("X-Requested-By", new RegexMatcher(".+")))
            .AtPriority(5)
            .RespondWith(response);
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
