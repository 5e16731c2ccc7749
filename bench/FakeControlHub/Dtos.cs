using System.Text.Json.Serialization;

namespace FakeControlHub;

// Control Hub wire shapes (JobStatus, JobJson, record counts, JobTemplateCreationInfo) and the
// fake's own record of what it was asked.

public sealed record JobStatusJson(
    string Id, string JobId, string PipelineCommitId, int RunCount, string User, long StartTime, long FinishTime,
    string? ErrorMessage, string Color, string Status, string[] SdcIds, object[] ErrorInfos, string[] Warnings,
    long InputRecordCount, long OutputRecordCount, long ErrorRecordCount, long LastReportedMetricTime);

public sealed record JobJson(
    string Id, string Name, string? Description, string Organization, string Creator, long CreateTime, bool JobDeleted,
    string PipelineName, string PipelineId, string PipelineCommitLabel, string[] Labels, JobStatusJson CurrentJobStatus,
    int NumInstances, string RuntimeParameters, bool JobTemplate, string TemplateJobId, string[] RawJobTags,
    JobTagJson[] JobTags, string ExecutorType, bool DeleteAfterCompletion, bool Archived);

/// <summary>A job tag as Control Hub stores it: id "&lt;tag path&gt;:&lt;org&gt;", tag = the path's last segment.</summary>
public sealed record JobTagJson(string Id, string Tag, string? ParentId, string Organization)
{
    public static JobTagJson For(string raw, string orgId) =>
        new($"{raw}:{orgId}", raw.Split('/')[^1], raw.Contains('/') ? $"{raw[..raw.LastIndexOf('/')]}:{orgId}" : null, orgId);
}

/// <summary>The job list with withWrapper=True.</summary>
public sealed record JobPage(IReadOnlyList<JobJson> Data, int TotalCount, int Offset, int Len);

public sealed record RecordCountsJson(
    long InputCount, long OutputCount, long ErrorCount, long StageErrorsCount, double InputM1Rate, double OutputM1Rate,
    double ErrorM1Rate, double StageErrorsM1Rate, string SdcId, string PipelineVersion, string JobId, string Organization,
    long LastUpdatedOn, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? RunCount = null);

public sealed record CreationInfo(
    string? NamePostfixType, string? ParamName, List<Dictionary<string, string>>? RuntimeParametersList,
    bool? AttachToTemplate, bool? DeleteAfterCompletion, string? Name, string? Description, List<string>? RawJobTags);

public sealed record Issue(string Code, string Message);

public sealed record IssuesBody([property: JsonPropertyName("ISSUES")] Issue[] Issues);

/// <summary>One create call as the fake saw it: what was asked, which jobs it created, how it answered.</summary>
public sealed record CreateRecord(
    long Seq, DateTimeOffset At, string TemplateId, string[] Tags, IReadOnlyList<Dictionary<string, string>> ParameterSets,
    string[] JobIds, string Outcome);

/// <summary>A job as the fake knows it, for assertions (GET /_sim/jobs).</summary>
public sealed record JobView(
    string Id, string TemplateId, string Name, string[] Tags, Dictionary<string, string> Parameters, long CreateTime,
    long PlannedFinishTime, string Status, string Color, long FinishTime, bool Succeeded, long InputCount, long OutputCount,
    long ErrorCount, bool StopRequested, bool ForceStopped, bool Deleted);

public sealed record StatsView(
    IReadOnlyDictionary<string, long> Calls, IReadOnlyDictionary<string, long> Outcomes, int Jobs, int ActiveJobs,
    int DeletedJobs, int CreateCalls, int CreateCallsThatCreatedJobs, FaultSettings Faults, IReadOnlyList<CreateRecord>? Creates);
