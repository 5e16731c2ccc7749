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
        // The SDK re-reads every job by the jobId of each answer item and never relies on their order.
        if (answer.Reversed) statuses = new JsonArray(statuses.Reverse().Select(s => s!.DeepClone()).ToArray());
        if (answer.DropLastItem && statuses.Count > 0) statuses.RemoveAt(statuses.Count - 1);
        if (answer.AnswerLost) return Lost(statuses);
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

    // sch_api.ApiClient.get_jobs_status: a map of job id to JobStatus
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
            .Where(id => jobs.TryGetValue(id, out var j) && !j.Deleted).Select(id => (JsonNode)jobs[id].JobJson(RawTagsInAnswers)).ToArray()));

    /// <summary>
    /// Jobs whose tag id ("&lt;tag&gt;:&lt;org&gt;") is jobTag, oldest first, a page at a time. A bare tag matches
    /// nothing, as on Control Hub. templateJobId is not a filter here: the SDK never sends it.
    /// </summary>
    private ResponseMessage ListJobs(IRequestMessage request)
    {
        var tagId = QueryValue(request, "jobTag");
        var offset = Math.Max(int.TryParse(QueryValue(request, "offset"), out var o) ? o : 0, 0);
        var len = int.TryParse(QueryValue(request, "len"), out var l) && l >= 0 ? Math.Min(l, MaxPageLength) : MaxPageLength;
        var matching = jobs.Values.Where(j => !j.Deleted && (tagId is null || j.TagIds.Contains(tagId)))
            .OrderBy(j => j.CreateTime).ThenBy(j => j.Id).ToList();
        var page = new JsonArray(matching.Skip(offset).Take(len).Select(j => (JsonNode)j.JobJson(RawTagsInAnswers)).ToArray());
        if (!string.Equals(QueryValue(request, "withWrapper"), "true", StringComparison.OrdinalIgnoreCase)) return Answer(200, page);
        return Answer(200, new JsonObject { ["data"] = page, ["totalCount"] = matching.Count, ["offset"] = offset, ["len"] = len });
    }

    private ResponseMessage GetJob(IRequestMessage request) =>
        Find(Segment(request, 0)) is { } job ? Answer(200, job.JobJson(RawTagsInAnswers))
        : TemplateAnswer(Segment(request, 0)) ?? NotFound(Segment(request, 0));

    private ResponseMessage History(IRequestMessage request)
    {
        if (Find(Segment(request, 1)) is not { } job) return NotFound(Segment(request, 1));
        var (status, color) = job.Current;
        return Answer(200, new JsonArray(job.StatusJson(status, color)));
    }

    // sch_api.ApiClient.get_job_record_count_for_all_runs, read as sch_models.Job.metrics reads it (JobMetrics)
    private ResponseMessage RecordCounts(IRequestMessage request)
    {
        if (Find(Segment(request, 1)) is not { } job) return NotFound(Segment(request, 1));
        var s = job.Script;
        var (errors, stageErrors) = s.Progress is null ? (s.Errors, s.StageErrors) : (job.Counts.Errors, 0L);
        // Key "0" is the latest run and, like the real service, carries no runCount.
        return Answer(200, new JsonObject
        {
            ["0"] = new JsonObject
            {
                ["inputCount"] = job.Counts.Input, ["outputCount"] = job.Counts.Output, ["errorCount"] = errors, ["stageErrorsCount"] = stageErrors,
                ["inputM1Rate"] = 0.0, ["outputM1Rate"] = 0.0, ["errorM1Rate"] = 0.0, ["stageErrorsM1Rate"] = 0.0,
                ["sdcId"] = EngineId, ["pipelineVersion"] = "1", ["jobId"] = job.Id, ["organization"] = OrgId,
                ["lastUpdatedOn"] = job.CountsReportedAt,
            },
        });
    }

    private static string? QueryValue(IRequestMessage request, string name) =>
        request.Query is { } query && query.TryGetValue(name, out var values) ? values.FirstOrDefault() : null;

    private SimulatedJob? Find(string id) => jobs.TryGetValue(id, out var job) && !job.Deleted ? job : null;

    private static ResponseMessage NotFound(string id) => Issues(404, "JOBRUNNER_01", $"Job '{id}' not found");
}
