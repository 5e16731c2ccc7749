using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace JobTemplateService.Tests;

/// <summary>Job templates: what GET job answers for a template id (sch_api.ApiClient.get_job; sch_models.Job.runtime_parameters).</summary>
public sealed partial class ControlHubSimulator
{
    private readonly ConcurrentDictionary<string, JsonObject> templates = new();

    /// <summary>A job template whose own runtime parameters (name → default value) GET job answers.</summary>
    public void DefineTemplate(string templateId, params (string Name, string Default)[] parameters) =>
        templates[templateId] = new JsonObject(parameters.Select(p => KeyValuePair.Create(p.Name, (JsonNode?)p.Default)));

    /// <summary>How many times GET job asked for a template.</summary>
    public int TemplateReads(string templateId) =>
        server.LogEntries.Count(e => e.RequestMessage!.Method == "GET" && e.ResponseMessage!.StatusCode is 200
            && Uri.UnescapeDataString(e.RequestMessage.Path).EndsWith("/jobrunner/rest/v1/job/" + templateId, StringComparison.Ordinal));

    // runtimeParameters is a JSON-encoded string, as Control Hub stores it (the SDK json.loads it).
    private WireMock.ResponseMessage? TemplateAnswer(string id) => templates.TryGetValue(id, out var parameters)
        ? Answer(200, new JsonObject
        {
            ["id"] = id, ["name"] = TemplateName, ["organization"] = OrgId, ["jobTemplate"] = true, ["templateJobId"] = null,
            ["pipelineId"] = PipelineId, ["runtimeParameters"] = parameters.ToJsonString(), ["rawJobTags"] = new JsonArray(),
            ["jobDeleted"] = false, ["archived"] = false,
        })
        : null;
}
