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
/// StreamSets Control Hub at the HTTP boundary (WireMock), answering the calls as the official
/// SDK (streamsets 6.7) makes and reads them: each stub names the SDK method it follows. Jobs
/// follow a <see cref="JobScript"/>; every call needs the credential, organization and CSRF
/// headers and content-type: application/json, and the log of what was asked is there to assert on.
/// </summary>
public sealed partial class ControlHubSimulator : IDisposable
{
    public const string CredId = "cred-id-for-tests";
    public const string OrgId = "8030c2e9-1a39-11ec-a5fe-97c8d4369386";
    public static readonly string CredToken = Token(OrgId);
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

    /// <summary>Whether job answers carry rawJobTags; without them, only jobTags name the tags.</summary>
    public bool RawTagsInAnswers { get; set; } = true;

    /// <summary>Most jobs one page of the job list holds, whatever len asks for.</summary>
    public int MaxPageLength { get; set; } = 250;

    /// <summary>Whether the job runner's API description lists DELETE /v2/job/{jobId} (recent Control Hubs do).</summary>
    public bool OffersV2Delete { get; set; } = true;

    /// <summary>From now on every call is answered 308 to the same path under /moved (an org that moved).</summary>
    public void MoveOrganization() => prefix = "/moved";

    /// <summary>From now on every call is answered 308 to the same path on another base URL (which may not be Control Hub at all).</summary>
    public void MoveOrganizationTo(string baseUrl) => elsewhere = baseUrl.TrimEnd('/');

    private volatile string? elsewhere;

    public IReadOnlyList<ILogEntry> Calls(string method, string pathFragment) =>
        server.LogEntries.Where(e => e.RequestMessage!.Method == method && e.RequestMessage.Path.Contains(pathFragment)).ToList();

    public int CreateCalls => Calls("POST", "/createAndStartJobInstances").Count(e => e.RequestMessage!.Path.StartsWith(prefix));

    public IReadOnlyList<JsonObject> CreateBodies =>
        Calls("POST", "/createAndStartJobInstances").Where(e => e.ResponseMessage!.StatusCode is not 308)
            .Select(e => JsonNode.Parse(e.RequestMessage!.Body!)!.AsObject()).ToList();

    public void Dispose() => server.Stop();

    private void RegisterStubs()
    {
        Stub("POST", @"/jobrunner/rest/v1/job/[^/]+/createAndStartJobInstances", Create); // sch_api.ApiClient.create_and_start_job_instances
        Stub("POST", @"/jobrunner/rest/v1/jobs/status", Statuses); // sch_api.ApiClient.get_jobs_status
        Stub("POST", @"/jobrunner/rest/v1/jobs", GetJobs); // sch_api.ApiClient.get_jobs
        Stub("GET", @"/jobrunner/rest/v1/jobs", ListJobs); // sch_api.ApiClient.return_all_jobs (sch_models.Jobs._get_all_results_from_api)
        Stub("GET", @"/jobrunner/rest/v1/job/[^/]+/history", History); // sch_api.ApiClient.get_job_status_history
        Stub("GET", @"/timeseries/rest/v1/metrics/job/[^/]+/recordCountsForAllRuns", RecordCounts); // sch_api.ApiClient.get_job_record_count_for_all_runs
        Stub("POST", @"/jobrunner/rest/v1/job/[^/]+/(stop|forceStop)", Stop); // sch_api.ApiClient.stop_job / force_stop_job
        Stub("POST", @"/jobrunner/rest/v1/jobs/(stopJobs|forceStopJobs)", StopMany); // sch_api.ApiClient.stop_jobs / force_stop_jobs
        Stub("GET", @"/jobrunner/rest/v1/job/[^/]+", GetJob); // sch_api.ApiClient.get_job
        Stub("DELETE", @"/jobrunner/rest/v[12]/job/[^/]+", Delete); // sch_api.ApiClient.delete_job (v2 as sch.ControlHub.delete_job picks it)
        Stub("POST", @"/jobrunner/rest/v1/jobs/deleteJobs", DeleteMany); // sch_api.ApiClient.delete_jobs
        Stub("GET", @"/jobrunner/rest/swagger.json", JobRunnerApi); // sch_api.ApiClient.get_job_api
        RegisterLoginStub();
        server.Given(Request.Create().UsingAnyMethod()).AtPriority(100)
            .RespondWith(Response.Create().WithCallback(_ => Issues(401, "SECURITY_01", "Missing or invalid API credentials")));
    }

    private void Stub(string method, string pathPattern, Func<IRequestMessage, ResponseMessage> answer, int priority = 10, TimeSpan delay = default)
    {
        var response = Response.Create().WithCallback(request =>
        {
            if (elsewhere is { } target) return Answer(308, null, ("Location", $"{target}{request.Path}{request.RawQuery()}"));
            if (!request.Path.StartsWith(prefix))
            {
                return Answer(308, null, ("Location", $"{Url}{prefix}{request.Path}{request.RawQuery()}"));
            }
            lock (jobs) return answer(request);
        });
        if (delay > TimeSpan.Zero) response = response.WithDelay(delay);
        // The SDK's headers on every call (sch_api REQUIRED_HEADERS and the session headers of sch_api.ApiClient.__init__).
        server.Given(Request.Create().UsingMethod(method).WithPath(new RegexMatcher($"^(/moved)?{pathPattern}$"))
                .WithHeader("X-SS-App-Component-Id", CredId).WithHeader("X-SS-App-Auth-Token", CredToken)
                .WithHeader("X-SS-Org-Id", OrgId).WithHeader("Content-Type", new WildcardMatcher("application/json*", true))
                .WithHeader("X-SS-REST-CALL", "true").WithHeader("X-Requested-By", new RegexMatcher(".+")))
            .AtPriority(priority)
            .RespondWith(response);
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
