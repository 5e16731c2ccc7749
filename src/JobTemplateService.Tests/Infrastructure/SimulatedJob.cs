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

    /// <summary>A JobStatus object, as Control Hub answers it.</summary>
    public JsonObject StatusJson(string status, string color) => new()
    {
        ["id"] = $"{Id}-status-1", ["jobId"] = Id, ["pipelineCommitId"] = "c1", ["runCount"] = 1, ["user"] = "service@" + ControlHubSimulator.OrgId,
        ["startTime"] = StartTime, ["finishTime"] = IsTerminal ? FinishTime : 0,
        ["errorMessage"] = ForceStopped ? JobScript.ForceStopMessage : IsTerminal ? Script.ErrorMessage : null,
        ["color"] = color, ["status"] = status, ["sdcIds"] = new JsonArray(ControlHubSimulator.EngineId),
        ["errorInfos"] = new JsonArray(), ["warnings"] = new JsonArray(), ["inputRecordCount"] = Script.Input,
        ["outputRecordCount"] = Script.Output, ["errorRecordCount"] = Script.Errors,
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
