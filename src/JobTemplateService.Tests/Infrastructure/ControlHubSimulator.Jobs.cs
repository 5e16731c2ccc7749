using System.Text.Json.Nodes;
using WireMock;

namespace JobTemplateService.Tests;

public sealed partial class ControlHubSimulator
{
    private ResponseMessage Create(IRequestMessage request)
    {
        var templateId = Segment(request, 1);
        var body = JsonNode.Parse(request.Body!)!.AsObject();
        var call = new CreateCall(templateId, body);
        var answer = OnCreate?.Invoke(call) ?? CreateAnswer.Ok;
        if (answer.Delay > TimeSpan.Zero) Thread.Sleep(answer.Delay);
        if (answer.IssueCode is not null && !answer.CreateJobs) return Issues(answer.Status, answer.IssueCode, answer.IssueMessage!);

        var statuses = answer.CreateJobs ? CreateJobs(call) : new JsonArray();
        return answer.Status == 200 ? Answer(200, statuses)
            : answer.IssueCode is not null ? Issues(answer.Status, answer.IssueCode, answer.IssueMessage!)
            : Answer(answer.Status, new JsonObject { ["message"] = "Internal Server Error" });
    }

    /// <summary>Creates the jobs a create call asks for, as Control Hub does (also used to create them late).</summary>
    private JsonArray CreateJobs(CreateCall call)
    {
        var (templateId, body) = (call.TemplateId, call.Body);
        var statuses = new JsonArray();
        foreach (var set in body["runtimeParametersList"]!.AsArray())
        {
            var counter = counters.AddOrUpdate(templateId, 1, (_, n) => n + 1);
            var suffix = body["namePostfixType"]?.GetValue<string>() switch
            {
                "PARAM_VALUE" => set![body["paramName"]!.GetValue<string>()]!.GetValue<string>(),
                "TIME_STAMP" => DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss"),
                _ => counter.ToString(),
            };
            var job = new SimulatedJob(
                $"{Guid.NewGuid()}:{OrgId}", templateId, $"{TemplateName} - {suffix}",
                set!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>()),
                body["rawJobTags"]?.AsArray().Select(t => t!.GetValue<string>()).ToArray() ?? [],
                DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), scripts.TryDequeue(out var s) ? s : DefaultScript);
            jobs[job.Id] = job;
            statuses.Add(job.StatusJson("ACTIVATING", "GREEN"));
        }
        return statuses;
    }

    /// <summary>A platform finishing a create after it answered an error: the jobs appear now.</summary>
    public void CreateLate(CreateCall call)
    {
        lock (jobs) CreateJobs(call);
    }

    private ResponseMessage Statuses(IRequestMessage request)
    {
        if (FailingStatusCalls > 0)
        {
            FailingStatusCalls--;
            return Answer(503, new JsonObject { ["message"] = "Service Unavailable" });
        }
        var result = new JsonObject();
        foreach (var id in JsonNode.Parse(request.Body!)!.AsArray().Select(i => i!.GetValue<string>()))
        {
            if (!jobs.TryGetValue(id, out var job) || job.Deleted) continue;
            job.Polls++;
            var (status, color) = job.Current;
            result[id] = job.StatusJson(status, color);
        }
        return Answer(200, result);
    }

    private ResponseMessage GetJobs(IRequestMessage request) => Answer(200, new JsonArray(
        JsonNode.Parse(request.Body!)!.AsArray().Select(i => i!.GetValue<string>())
            .Where(id => jobs.TryGetValue(id, out var j) && !j.Deleted).Select(id => (JsonNode)jobs[id].JobJson()).ToArray()));

    private ResponseMessage ListJobs(IRequestMessage request)
    {
        var tag = QueryValue(request, "jobTag");
        var template = QueryValue(request, "templateJobId");
        return Answer(200, new JsonArray(jobs.Values
            .Where(j => !j.Deleted && (tag is null || j.Tags.Contains(tag)) && (template is null || j.TemplateId == template))
            .OrderBy(j => j.CreateTime).Select(j => (JsonNode)j.JobJson()).ToArray()));
    }

    private ResponseMessage GetJob(IRequestMessage request) =>
        Find(Segment(request, 0)) is { } job ? Answer(200, job.JobJson()) : NotFound(Segment(request, 0));

    private ResponseMessage History(IRequestMessage request)
    {
        if (Find(Segment(request, 1)) is not { } job) return NotFound(Segment(request, 1));
        var (status, color) = job.Current;
        return Answer(200, new JsonArray(job.StatusJson(status, color)));
    }

    private ResponseMessage RecordCounts(IRequestMessage request)
    {
        if (Find(Segment(request, 1)) is not { } job) return NotFound(Segment(request, 1));
        var s = job.Script;
        // Key "0" is the latest run and, like the real service, carries no runCount.
        return Answer(200, new JsonObject
        {
            ["0"] = new JsonObject
            {
                ["inputCount"] = s.Input, ["outputCount"] = s.Output, ["errorCount"] = s.Errors, ["stageErrorsCount"] = s.StageErrors,
                ["inputM1Rate"] = 0.0, ["outputM1Rate"] = 0.0, ["errorM1Rate"] = 0.0, ["stageErrorsM1Rate"] = 0.0,
                ["sdcId"] = EngineId, ["pipelineVersion"] = "1", ["jobId"] = job.Id, ["organization"] = OrgId,
                ["lastUpdatedOn"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            },
        });
    }

    private ResponseMessage Stop(IRequestMessage request)
    {
        if (Find(Segment(request, 1)) is not { } job) return NotFound(Segment(request, 1));
        if (request.Path.EndsWith("/forceStop")) job.ForceStopped = true;
        else if (!job.IgnoresStop) job.StopRequested = true;
        var (status, color) = job.Current;
        return Answer(200, job.StatusJson(status, color));
    }

    private ResponseMessage Delete(IRequestMessage request)
    {
        if (Find(Segment(request, 0)) is not { } job) return NotFound(Segment(request, 0));
        job.Deleted = true;
        return Answer(200, null);
    }

    private static string? QueryValue(IRequestMessage request, string name) =>
        request.Query is { } query && query.TryGetValue(name, out var values) ? values.FirstOrDefault() : null;

    private SimulatedJob? Find(string id) => jobs.TryGetValue(id, out var job) && !job.Deleted ? job : null;

    private static ResponseMessage NotFound(string id) => Issues(404, "JOBRUNNER_01", $"Job '{id}' not found");
}

public sealed record CreateCall(string TemplateId, JsonObject Body);

/// <summary>How the simulator answers a create call.</summary>
public sealed record CreateAnswer(int Status, bool CreateJobs, string? IssueCode = null, string? IssueMessage = null, TimeSpan Delay = default)
{
    public static readonly CreateAnswer Ok = new(200, true);

    public static CreateAnswer Rejected(string code, string message, int status = 400) => new(status, false, code, message);

    /// <summary>Creates the jobs but answers 500: the caller cannot know they exist.</summary>
    public static CreateAnswer ServerErrorAfterCreating() => new(500, true);

    public static CreateAnswer ServerErrorWithoutCreating() => new(500, false);

    public static CreateAnswer SlowAfterCreating(TimeSpan delay) => new(200, true, Delay: delay);
}
