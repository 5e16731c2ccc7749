using System.Text.Json;
using System.Text.Json.Nodes;

namespace JobTemplateService.Tests;

/// <summary>A job instance the simulated Control Hub created.</summary>
public sealed class SimulatedJob(string id, string templateId, string name, Dictionary<string, string> parameters,
    string[] tags, long createTime, JobScript script)
{
    public string Id { get; } = id;
    public string TemplateId { get; } = templateId;
    public string Name { get; } = name;
    public Dictionary<string, string> Parameters { get; } = parameters;
    public string[] Tags { get; } = tags;
    /// <summary>Control Hub identifies a tag by "&lt;tag&gt;:&lt;organization&gt;".</summary>
    public string[] TagIds => Tags.Select(t => $"{t}:{ControlHubSimulator.OrgId}").ToArray();
    public long CreateTime { get; } = createTime;
    public JobScript Script { get; set; } = script;
    public int Polls { get; set; }
    public bool StopRequested { get; set; }
    public bool ForceStopped { get; set; }
    public bool IgnoresStop { get; set; }
    public bool Deleted { get; set; }
    public long StartTime { get; } = createTime + 1_000;
    public long FinishTime => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    public (string Status, string Color) Current
    {
        get
        {
            if (ForceStopped) return ("INACTIVE_ERROR", "RED");
            if (StopRequested) return ("INACTIVE", "GRAY");
            if (Polls == 0) return ("ACTIVATING", "GREEN");
            var entry = Script.Statuses[Math.Min(Polls, Script.Statuses.Count) - 1].Split('/');
            return (entry[0], entry[1]);
        }
    }

    public bool IsTerminal => Current.Status is "INACTIVE" or "INACTIVE_ERROR" or "ACTIVATION_ERROR";

    /// <summary>The counts the job reports now: its script's progress at this poll, or its final counts.</summary>
    public (long Input, long Output, long Errors) Counts => Script.Progress is { Count: > 0 } progress
        ? progress[ProgressIndex] : (Script.Input, Script.Output, Script.Errors + Script.StageErrors);

    /// <summary>When, by Control Hub's clock, those counts were reported: a minute per poll (per progress step).</summary>
    public long CountsReportedAt => StartTime + 60_000L * (Script.Progress is { Count: > 0 } ? ProgressIndex + 1 : Math.Max(Polls, 1));

    private int ProgressIndex => Math.Clamp(Polls, 1, Script.Progress!.Count) - 1;

    /// <summary>
    /// A JobStatus object, as Control Hub answers it: the SDK's JobStatus JSON (sch_models.JobStatus; its own
    /// fixture carries inputRecordCount, outputRecordCount, errorRecordCount, lastReportedMetricTime), which is
    /// also what each value of the bulk status answer is taken to be (sch_api.ApiClient.get_jobs_status).
    /// </summary>
    public JsonObject StatusJson(string status, string color) => new()
    {
        ["id"] = $"{Id}-status-1", ["jobId"] = Id, ["pipelineCommitId"] = "c1", ["runCount"] = 1, ["user"] = "service@" + ControlHubSimulator.OrgId,
        ["startTime"] = StartTime, ["finishTime"] = IsTerminal ? FinishTime : 0,
        ["errorMessage"] = ForceStopped ? JobScript.ForceStopMessage : IsTerminal ? Script.ErrorMessage : null,
        ["color"] = color, ["status"] = status, ["sdcIds"] = new JsonArray(ControlHubSimulator.EngineId),
        ["errorInfos"] = new JsonArray(), ["warnings"] = new JsonArray(),
        ["inputRecordCount"] = Script.CountsInStatus ? Counts.Input : null,
        ["outputRecordCount"] = Script.CountsInStatus ? Counts.Output : null,
        ["errorRecordCount"] = Script.CountsInStatus ? Counts.Errors : null,
        ["lastReportedMetricTime"] = Script.CountsInStatus ? CountsReportedAt : null,
    };

    /// <summary>
    /// A JobJson object, as Control Hub answers it; runtimeParameters is a JSON-encoded string; tags as jobTags
    /// objects (sch_models.Job.tags reads these first) and, unless told otherwise, rawJobTags.
    /// </summary>
    public JsonObject JobJson(bool withRawTags = true)
    {
        var (status, color) = Current;
        return new JsonObject
        {
            ["id"] = Id, ["name"] = Name, ["description"] = null, ["organization"] = ControlHubSimulator.OrgId,
            ["creator"] = "service@" + ControlHubSimulator.OrgId, ["createTime"] = CreateTime, ["jobDeleted"] = false,
            ["pipelineName"] = "REST API to GCS", ["pipelineId"] = ControlHubSimulator.PipelineId, ["pipelineCommitLabel"] = "v1",
            ["labels"] = new JsonArray("gcs"), ["currentJobStatus"] = StatusJson(status, color), ["numInstances"] = 1,
            ["runtimeParameters"] = JsonSerializer.Serialize(Parameters), ["jobTemplate"] = false, ["templateJobId"] = TemplateId,
            ["rawJobTags"] = withRawTags ? new JsonArray(Tags.Select(t => (JsonNode)t).ToArray()) : null,
            ["jobTags"] = new JsonArray(Tags.Select(t => (JsonNode)new JsonObject
            {
                ["id"] = $"{t}:{ControlHubSimulator.OrgId}", ["tag"] = t.Split('/')[^1],
                ["parentId"] = t.Contains('/') ? $"{t[..t.LastIndexOf('/')]}:{ControlHubSimulator.OrgId}" : null,
                ["organization"] = ControlHubSimulator.OrgId,
            }).ToArray()),
            ["executorType"] = "COLLECTOR",
            ["deleteAfterCompletion"] = false, ["archived"] = false,
        };
    }
}
