namespace FakeControlHub;

/// <summary>How the fake Control Hub behaves (configuration section "Fake", e.g. --Fake:FailureRate=0.2).</summary>
public sealed class FakeOptions
{
    public const string Section = "Fake";

    public const string DefaultOrgId = "8030c2e9-1a39-11ec-a5fe-97c8d4369386";

    /// <summary>
    /// The credential pair every call must carry (X-SS-App-Component-Id, X-SS-App-Auth-Token); the
    /// token is a JWT naming the organization (X-SS-Org-Id) in its "o" claim, as Control Hub's are.
    /// </summary>
    public string CredId { get; set; } = "fake-cred-id";
    public string CredToken { get; set; } = FakeToken.For(DefaultOrgId);
    public string OrgId { get; set; } = DefaultOrgId;
    public string TemplateName { get; set; } = "Fake template";

    /// <summary>
    /// Job templates with their runtime parameters (name → default value), answered by GET job; a
    /// template instances were created from, but not listed here, has no parameters. A list, as
    /// template ids hold ':' and configuration keys cannot.
    /// </summary>
    public List<FakeTemplate> Templates { get; set; } = [];

    /// <summary>Each created job runs for a uniformly random time between these two.</summary>
    public TimeSpan MinDuration { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A stop (not a force-stop) takes effect after a uniformly random time up to this, as a real pipeline drains first.</summary>
    public TimeSpan StopDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Probability that a job ends INACTIVE_ERROR/RED instead of INACTIVE/GRAY.</summary>
    public double FailureRate { get; set; } = 0.1;

    /// <summary>Added to every Control Hub call.</summary>
    public TimeSpan Latency { get; set; } = TimeSpan.Zero;

    /// <summary>Added to the calls of one endpoint (names as in <see cref="Endpoints"/>), on top of <see cref="Latency"/>.</summary>
    public Dictionary<string, TimeSpan> EndpointLatency { get; set; } = [];

    /// <summary>
    /// Order of a create call's answer: "shuffled" (default), "reversed" or "request". Control Hub
    /// does not promise the request's order, and the SDK never relies on it.
    /// </summary>
    public string AnswerOrder { get; set; } = "shuffled";

    /// <summary>Most jobs one page of the job list holds (the SDK asks for 250).</summary>
    public int MaxPageLength { get; set; } = 250;

    /// <summary>Seed for durations, outcomes, ids and fault draws; null = a random seed.</summary>
    public int? Seed { get; set; }
}

/// <summary>The endpoint names used for counting, latency and fault filters.</summary>
public static class Endpoints
{
    public const string Create = "create", Status = "status", BulkGet = "bulkGet", List = "list", Get = "get",
        History = "history", RecordCounts = "recordCounts", Stop = "stop", ForceStop = "forceStop", Delete = "delete",
        StopJobs = "stopJobs", ForceStopJobs = "forceStopJobs", DeleteJobs = "deleteJobs", JobRunnerApi = "jobRunnerApi";

    public static readonly string[] All =
        [Create, Status, BulkGet, List, Get, History, RecordCounts, Stop, ForceStop, Delete, StopJobs, ForceStopJobs, DeleteJobs, JobRunnerApi];
}

/// <summary>
/// Faults switched on at run time (POST /_sim/faults). Rates are probabilities per call; the
/// optional endpoint list limits every fault to those endpoints.
/// </summary>
public sealed record FaultSettings
{
    /// <summary>Answer 503 without doing anything.</summary>
    public double Status503Rate { get; init; }

    /// <summary>Extra latency on every call.</summary>
    public int DelayMs { get; init; }

    /// <summary>Hang for <see cref="HangMs"/> without doing anything (past the client's timeout), then 503.</summary>
    public double TimeoutRate { get; init; }

    public int HangMs { get; init; } = 15_000;

    /// <summary>A create call creates its jobs, then answers 500 or hangs (see <see cref="CreateThenFailMode"/>).</summary>
    public double CreateThenFailRate { get; init; }

    /// <summary>"500", "hang", "reset" (the connection drops), or null for 500 or hang, at random.</summary>
    public string? CreateThenFailMode { get; init; }

    public string[]? Endpoints { get; init; }

    public bool AppliesTo(string endpoint) => Endpoints is not { Length: > 0 } || Endpoints.Contains(endpoint, StringComparer.OrdinalIgnoreCase);

    public static readonly FaultSettings None = new();
}

/// <summary>A job template of the fake: its id and its own runtime parameters.</summary>
public sealed class FakeTemplate
{
    public string Id { get; set; } = "";
    public Dictionary<string, string> Parameters { get; set; } = [];
}
