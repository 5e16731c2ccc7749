using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using WireMock;
using WireMock.Logging;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Types;
using WireMock.Util;

namespace JobTemplateService.Tests;

/// <summary>
/// StreamSets Control Hub at the HTTP boundary (WireMock), answering the calls of reference §2
/// with payloads shaped like its field lists. Jobs follow a <see cref="JobScript"/>; every call
/// needs the credential and CSRF headers, and the log of what was asked is there to assert on.
/// </summary>
public sealed partial class ControlHubSimulator : IDisposable
{
    public const string CredId = "cred-id-for-tests";
    public const string CredToken = "cred-token-for-tests";
    public const string OrgId = "8030c2e9-1a39-11ec-a5fe-97c8d4369386";
    public const string EngineId = "e8d7a1c2-0b6f-11ee-9f2a-5b1f6c1d9e01";
    public const string PipelineId = "5f1c2d3e-aaaa-4bbb-8ccc-0123456789ab:" + OrgId;

    private readonly WireMockServer server;
    private readonly ConcurrentDictionary<string, SimulatedJob> jobs = new();
    private readonly ConcurrentQueue<JobScript> scripts = new();
    private readonly ConcurrentDictionary<string, int> counters = new();
    private volatile string prefix = "";

    public ControlHubSimulator()
    {
        server = WireMockServer.Start();
        RegisterStubs();
    }

    public string Url => server.Url!;

    public JobScript DefaultScript { get; set; } = JobScript.Succeeds();

    public string TemplateName { get; set; } = "REST API to Google Cloud Storage";

    /// <summary>What the next create call does; null = create the jobs and answer 200.</summary>
    public Func<CreateCall, CreateAnswer>? OnCreate { get; set; }

    /// <summary>How many upcoming bulk status calls fail with 503.</summary>
    public int FailingStatusCalls;

    public IReadOnlyCollection<SimulatedJob> Jobs => jobs.Values.OrderBy(j => j.CreateTime).ThenBy(j => j.Id).ToList();

    public SimulatedJob Job(string id) => jobs[id];

    /// <summary>Scripts for the next jobs created, in order; later jobs use <see cref="DefaultScript"/>.</summary>
    public void NextJobs(params JobScript[] next)
    {
        foreach (var script in next) scripts.Enqueue(script);
    }

    /// <summary>From now on every call is answered 308 to the same path under /moved (an org that moved).</summary>
    public void MoveOrganization() => prefix = "/moved";

    public IReadOnlyList<ILogEntry> Calls(string method, string pathFragment) =>
        server.LogEntries.Where(e => e.RequestMessage!.Method == method && e.RequestMessage.Path.Contains(pathFragment)).ToList();

    public int CreateCalls => Calls("POST", "/createAndStartJobInstances").Count(e => e.RequestMessage!.Path.StartsWith(prefix));

    public IReadOnlyList<JsonObject> CreateBodies =>
        Calls("POST", "/createAndStartJobInstances").Where(e => e.ResponseMessage!.StatusCode is not 308)
            .Select(e => JsonNode.Parse(e.RequestMessage!.Body!)!.AsObject()).ToList();

    public void Dispose() => server.Stop();

    private void RegisterStubs()
    {
        Stub("POST", @"/jobrunner/rest/v1/job/[^/]+/createAndStartJobInstances", Create);
        Stub("POST", @"/jobrunner/rest/v1/jobs/status", Statuses);
        Stub("POST", @"/jobrunner/rest/v1/jobs", GetJobs);
        Stub("GET", @"/jobrunner/rest/v1/jobs", ListJobs);
        Stub("GET", @"/jobrunner/rest/v1/job/[^/]+/history", History);
        Stub("GET", @"/timeseries/rest/v1/metrics/job/[^/]+/recordCountsForAllRuns", RecordCounts);
        Stub("POST", @"/jobrunner/rest/v1/job/[^/]+/(stop|forceStop)", Stop);
        Stub("GET", @"/jobrunner/rest/v1/job/[^/]+", GetJob);
        Stub("DELETE", @"/jobrunner/rest/v1/job/[^/]+", Delete);
        server.Given(Request.Create().UsingAnyMethod()).AtPriority(100)
            .RespondWith(Response.Create().WithCallback(_ => Issues(401, "SECURITY_01", "Missing or invalid API credentials")));
    }

    private void Stub(string method, string pathPattern, Func<IRequestMessage, ResponseMessage> answer)
    {
        server.Given(Request.Create().UsingMethod(method).WithPath(new RegexMatcher($"^(/moved)?{pathPattern}$"))
                .WithHeader("X-SS-App-Component-Id", CredId).WithHeader("X-SS-App-Auth-Token", CredToken)
                .WithHeader("X-SS-REST-CALL", "true").WithHeader("X-Requested-By", new RegexMatcher(".+")))
            .AtPriority(10)
            .RespondWith(Response.Create().WithCallback(request =>
            {
                if (!request.Path.StartsWith(prefix))
                {
                    return Answer(308, null, ("Location", $"{Url}{prefix}{request.Path}{request.RawQuery()}"));
                }
                lock (jobs) return answer(request);
            }));
    }

    private static ResponseMessage Answer(int status, JsonNode? body, params (string Name, string Value)[] headers)
    {
        var message = new ResponseMessage { StatusCode = status, Headers = new Dictionary<string, WireMockList<string>>() };
        foreach (var (name, value) in headers) message.Headers[name] = new WireMockList<string>(value);
        if (body is not null)
        {
            message.Headers["Content-Type"] = new WireMockList<string>("application/json");
            message.BodyData = new BodyData { BodyAsString = body.ToJsonString(), DetectedBodyType = BodyType.String };
        }
        return message;
    }

    private static ResponseMessage Issues(int status, string code, string message) =>
        Answer(status, new JsonObject { ["ISSUES"] = new JsonArray(new JsonObject { ["code"] = code, ["message"] = message }) });

    private static string Segment(IRequestMessage request, int fromEnd)
    {
        var parts = request.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return Uri.UnescapeDataString(parts[^(fromEnd + 1)]);
    }
}

internal static class RequestMessageExtensions
{
    public static string RawQuery(this IRequestMessage request) =>
        request.Url.Contains('?') ? request.Url[request.Url.IndexOf('?')..] : "";
}
