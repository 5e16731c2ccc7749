using System.Text.Json.Nodes;
using WireMock;
using WireMock.ResponseBuilders;

namespace JobTemplateService.Tests;

/// <summary>Stop, force-stop and delete (single and bulk), the job runner's API description, and answers that never arrive whole.</summary>
public sealed partial class ControlHubSimulator
{
    private int? deleteFailure;

    private ResponseMessage Stop(IRequestMessage request)
    {
        if (Find(Segment(request, 1)) is not { } job) return NotFound(Segment(request, 1));
        Stop(job, request.Path.EndsWith("/forceStop"));
        var (status, color) = job.Current;
        return Answer(200, job.StatusJson(status, color));
    }

    /// <summary>A list of job ids; one unknown id fails the whole call, as a bulk call that cannot be done for every job.</summary>
    private ResponseMessage StopMany(IRequestMessage request)
    {
        var ids = Ids(request);
        if (ids.FirstOrDefault(id => Find(id) is null) is { } unknown) return NotFound(unknown);
        foreach (var id in ids) Stop(jobs[id], request.Path.EndsWith("/forceStopJobs"));
        return Answer(200, new JsonArray(ids.Select(id => (JsonNode)new JsonObject { ["jobId"] = id, ["success"] = true }).ToArray()));
    }

    private void Stop(SimulatedJob job, bool force)
    {
        if (force) job.ForceStopped = true;
        else if (!job.IgnoresStop) job.StopRequested = true;
    }

    private ResponseMessage Delete(IRequestMessage request)
    {
        if (request.Path.Contains("/v2/") && !OffersV2Delete) return Answer(404, new JsonObject { ["message"] = "Not Found" });
        if (deleteFailure is { } failure) return Issues(failure, "JOBRUNNER_99", "Delete failed");
        if (Find(Segment(request, 0)) is not { } job) return NotFound(Segment(request, 0));
        job.Deleted = true;
        return Answer(200, null);
    }

    private ResponseMessage DeleteMany(IRequestMessage request)
    {
        if (deleteFailure is { } failure) return Issues(failure, "JOBRUNNER_99", "Delete failed");
        var ids = Ids(request);
        if (ids.FirstOrDefault(id => Find(id) is null) is { } unknown) return NotFound(unknown);
        foreach (var id in ids) jobs[id].Deleted = true;
        return Answer(200, null);
    }

    /// <summary>A swagger 2.0 document whose paths are relative to basePath /jobrunner/rest.</summary>
    private ResponseMessage JobRunnerApi(IRequestMessage request)
    {
        var paths = new JsonObject { ["/v1/job/{jobId}"] = new JsonObject(), ["/v1/jobs/deleteJobs"] = new JsonObject() };
        if (OffersV2Delete) paths["/v2/job/{jobId}"] = new JsonObject { ["delete"] = new JsonObject { ["operationId"] = "deleteJob" } };
        return Answer(200, new JsonObject { ["swagger"] = "2.0", ["basePath"] = "/jobrunner/rest", ["paths"] = paths });
    }

    /// <summary>The answer breaks off half way, as when the connection drops after the work was done.</summary>
    private static ResponseMessage Lost(JsonNode body)
    {
        var message = Answer(200, body);
        message.FaultType = FaultType.MALFORMED_RESPONSE_CHUNK;
        return message;
    }

    private static List<string> Ids(IRequestMessage request) =>
        JsonNode.Parse(request.Body!)!.AsArray().Select(i => i!.GetValue<string>()).ToList();
}
