using System.Text.Json;
using System.Text.Json.Serialization;
using JobTemplateService.Templates;

namespace JobTemplateService.Platform.ControlHub;

// Control Hub's wire shapes (the JSON of its REST API): only the fields the service reads or sends.

internal sealed record ChJobStatus
{
    public string? Id { get; init; }
    public string? JobId { get; init; }
    public string? Status { get; init; }
    public string? Color { get; init; }
    public string? ErrorMessage { get; init; }
    public int? RunCount { get; init; }
    public long? StartTime { get; init; }
    public long? FinishTime { get; init; }
    public string[]? SdcIds { get; init; }

    // Counts of the current run so far and when they were last reported (epoch ms, 0 before any):
    // fields of the SDK's JobStatus JSON (sch_models.JobStatus; the SDK's own test fixture of a job's currentJobStatus).
    public long? InputRecordCount { get; init; }
    public long? OutputRecordCount { get; init; }
    public long? ErrorRecordCount { get; init; }
    public long? LastReportedMetricTime { get; init; }
}

/// <summary>
/// A job as read back by id (after a create, or to describe it): only what pairing and describing read,
/// so that the rest of each job (its current status, tags, labels) is skipped rather than materialized.
/// </summary>
internal record ChJobSummary
{
    public string Id { get; init; } = "";
    public string? Name { get; init; }
    public string? PipelineId { get; init; }
    /// <summary>A JSON-encoded string, e.g. "{\"CITY\":\"London\"}".</summary>
    public string? RuntimeParameters { get; init; }
}

/// <summary>A job as a search or a single read answers it, with its tags and current status.</summary>
internal sealed record ChJob : ChJobSummary
{
    public string[]? RawJobTags { get; init; }
    /// <summary>Tags as Control Hub stores them; the SDK reads these first (sch_models.Job.tags).</summary>
    public ChJobTag[]? JobTags { get; init; }
    public string? TemplateJobId { get; init; }
    public long? CreateTime { get; init; }
    public ChJobStatus? CurrentJobStatus { get; init; }
}

/// <summary>A job tag: id "&lt;tag path&gt;:&lt;organization&gt;", tag = the path's last segment.</summary>
internal sealed record ChJobTag(string? Id, string? Tag, string? Organization);

/// <summary>A list answer with withWrapper=True.</summary>
internal sealed record ChJobPage(List<ChJob>? Data, int? TotalCount, int? Offset, int? Len);

/// <summary>The job runner's swagger document: only which paths it offers.</summary>
internal sealed record ChApiDescription(Dictionary<string, JsonElement>? Paths);

internal sealed record ChRecordCounts
{
    public long? InputCount { get; init; }
    public long? OutputCount { get; init; }
    public long? ErrorCount { get; init; }
    public long? StageErrorsCount { get; init; }
    public int? RunCount { get; init; }
    public string? SdcId { get; init; }
    public long? LastUpdatedOn { get; init; }
}

internal sealed record ChCreationInfo(
    string NamePostfixType,
    string? ParamName,
    IReadOnlyList<IReadOnlyDictionary<string, string>> RuntimeParametersList,
    bool AttachToTemplate,
    bool DeleteAfterCompletion,
    string? Name,
    string? Description,
    IReadOnlyList<string> RawJobTags);

internal sealed record ChIssue(string? Code, string? Message);

/// <summary>A non-2xx answer from Control Hub, with the first ISSUES entry when the body had one.</summary>
internal sealed class ControlHubException(int statusCode, string? code, string message)
    : Exception($"Control Hub answered {statusCode}: {(code is null ? message : $"{code} - {message}")}")
{
    public int StatusCode { get; } = statusCode;
    public string? Code { get; } = code;
    public string PlatformMessage { get; } = message;

    // A redirect the service refused to follow: Control Hub did nothing, as with a 4xx.
    public bool IsClientError => StatusCode is >= 400 and < 500 and not 408 and not 429 || Code == OrgMovedHandler.RefusedCode;
}

internal static class ControlHubJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>Reads an ISSUES error body; falls back to the raw text.</summary>
    public static (string? Code, string Message) ParseError(string body, int statusCode)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    if (property.NameEquals("ISSUES") || property.Name.Equals("issues", StringComparison.OrdinalIgnoreCase))
                    {
                        var issues = property.Value.Deserialize<ChIssue[]>(Options) ?? [];
                        if (issues.Length > 0)
                            return (issues[0].Code, string.Join("; ", issues.Select(i => i.Message ?? i.Code ?? "")));
                    }
                }
            }
        }
        catch (JsonException)
        {
        }
        var text = body.Trim();
        if (text.Length == 0) text = $"HTTP {statusCode}";
        return (null, text.Length > 500 ? text[..500] : text);
    }

    /// <summary>A job's runtimeParameters, a JSON-encoded object, as name → text.</summary>
    public static IReadOnlyDictionary<string, string> Parameters(string? json)
    {
        var parameters = new Dictionary<string, string>();
        if (string.IsNullOrWhiteSpace(json)) return parameters;
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object) return parameters;
            foreach (var p in document.RootElement.EnumerateObject()) parameters[p.Name] = JobTemplate.ScalarText(p.Value);
        }
        catch (JsonException)
        {
            parameters.Clear();
        }
        return parameters;
    }

    public static DateTime? FromEpochMilliseconds(long? value) =>
        value is > 0 ? DateTime.UnixEpoch.AddMilliseconds(value.Value) : null;
}
