using System.Text.Json;
using System.Text.Json.Nodes;
using JobTemplateService.Common;
using JobTemplateService.Instances;
using JobTemplateService.Runs;
using JobTemplateService.Security;
using JobTemplateService.Templates;
using Microsoft.OpenApi;

namespace JobTemplateService.Hosting;

/// <summary>Request and response examples for the OpenAPI document, built from real objects.</summary>
internal static class OpenApiExamples
{
    private static readonly Guid RunId = Guid.Parse("0196a0e2-7c1e-7d3a-9f62-1f3c2b9e4a10");
    private const string Template = "c09f728a-2a73-4c7e-b735-2512039a9e6b:8030c2e9-1a39-11ec-a5fe-97c8d4369386";

    private static readonly LaunchRequest Launch = new("mark@example.com", "run-123", "http", "gcs",
    [
        new Dictionary<string, string> { ["HTTP_URL"] = "http://api.openweathermap.org/data/2.5/weather", ["CITY"] = "London", ["GCS_BUCKET"] = "146_gcs_bucket", ["GCS_FOLDER"] = "UK" },
    ]);

    private static RunResource Run(string state, bool finished)
    {
        var started = new DateTime(2026, 11, 23, 9, 12, 2, DateTimeKind.Utc);
        var instance = new InstanceResource(Guid.Parse("0196a0e2-7c1f-7bd2-8a0e-55b8c3a1d201"), 0,
            "3f1e9b7c-5a2d-4c8e-9f10-2b3c4d5e6f70:8030c2e9-1a39-11ec-a5fe-97c8d4369386", "REST API to Google Cloud Storage - 1",
            finished ? InstanceStates.Succeeded : InstanceStates.Running, started, finished ? started.AddMinutes(3) : null, null,
            new Dictionary<string, string>
            {
                ["CITY"] = "London", ["GCS_BUCKET"] = "146_gcs_bucket", ["GCS_CONNECTION"] = "9c960db9-7904-47c4-bbc8-4c95dcf9c959:8030c2e9-1a39-11ec-a5fe-97c8d4369386",
                ["GCS_FOLDER"] = "UK", ["HTTP_METHOD"] = "GET", ["HTTP_MODE"] = "POLLING", ["HTTP_URL"] = "http://api.openweathermap.org/data/2.5/weather",
            },
            finished ? new InstanceMetrics(true, 12482, 12482, 0, "e8d7a1c2-0b6f-11ee-9f2a-5b1f6c1d9e01", "5f1c2d3e-…:8030c2e9-…", 1,
                started, started.AddMinutes(3), null) : null);
        return new RunResource(RunId, "mark@example.com", "run-123", "http", "gcs", state,
            new RunTemplate("http-to-gcs", 1, PlatformNames.ControlHub, Template), started.AddSeconds(-1), finished ? started.AddMinutes(3) : null,
            "ci", [instance], new RunLinks($"/v1/runs/{RunId}", $"/v1/runs/{RunId}/outcome", $"/v1/metrics?run-id={RunId}"));
    }

    public static void Apply(string operationId, OpenApiOperation operation)
    {
        switch (operationId)
        {
            case "LaunchRun" or "LaunchRunCompatible" or "PlanRun":
                Request(operation, Launch);
                Response(operation, operationId == "LaunchRunCompatible" ? "200" : "202", Run(RunStates.Running, false));
                break;
            case "GetRun" or "GetRunOutcome":
                Response(operation, "200", Run(RunStates.Succeeded, true));
                Response(operation, "202", Run(RunStates.Running, false));
                break;
            case "CancelRun":
                Response(operation, "202", Run(RunStates.Running, false));
                break;
            case "ListRuns":
                Response(operation, "200", new RunPage([Run(RunStates.Succeeded, true)], null, null));
                break;
            case "CreateApiKey":
                Request(operation, new CreateApiKeyRequest("github-actions", [Scopes.Launch, Scopes.Read], ["http-to-*", "tag:finance"]));
                break;
            case "PutTemplate":
                Request(operation, JsonNode.Parse(TemplateBody)!);
                break;
        }
    }

    private const string TemplateBody = """
        {"source-type": "csv", "target-type": "csv", "platform": "local", "platform-template-id": "csv_filter",
         "title": "Weather rows for one city", "description": "Keeps the rows of a CSV file for **one city**.", "owner": "data@example.com",
         "tags": ["demo", "csv"], "documentation-url": "https://wiki.example.com/csv-filter", "enabled": true,
         "parameters": {"type": "object", "required": ["CITY"], "additionalProperties": false, "properties": {
           "CITY": {"type": "string", "enum": ["London", "Phoenix"], "description": "The city whose rows are kept."},
           "MIN_TEMPERATURE_C": {"type": "number", "minimum": -50, "maximum": 60, "default": -50}}},
         "static-parameters": {"source-runtime-parameters": {"INPUT_FILE": "/data/weather.csv"}, "destination-runtime-parameters": {"OUTPUT_DIR": "/data/out"},
           "source-connection-info": {}, "destination-connection-info": {}},
         "options": {"max-wait": "00:10:00", "max-concurrent-instances": 4, "delete-after-completion": false, "instance-name-suffix": "COUNTER",
           "instance-name-parameter": null, "secret-parameters": [], "overridable-parameters": []}}
        """;

    public static JsonNode Problem(int status) => JsonSerializer.SerializeToNode(status switch
    {
        400 => new { type = "/problems/validation", title = "The request is invalid.", status,
            errors = new Dictionary<string, string[]> { ["runtime-parameters[0].CITY"] = ["Must be a string, number or boolean."] } },
        502 => new { type = "/problems/platform-rejected", title = "The platform rejected the launch.", status,
            detail = "JOBRUNNER_73 - Job template not found", platform = "controlhub", platform_code = "JOBRUNNER_73" } as object,
        _ => new { type = "/problems/…", title = "…", status, detail = "…" },
    })!;

    private static void Request(OpenApiOperation operation, object example)
    {
        if (operation.RequestBody?.Content is { } content)
            foreach (var media in content.Values.OfType<OpenApiMediaType>()) media.Example = JsonSerializer.SerializeToNode(example, Json.Options);
    }

    private static void Response(OpenApiOperation operation, string status, object example)
    {
        if (operation.Responses is not null && operation.Responses.TryGetValue(status, out var response) && response.Content is { } content)
            foreach (var media in content.Values.OfType<OpenApiMediaType>()) media.Example = JsonSerializer.SerializeToNode(example, Json.Options);
    }
}
