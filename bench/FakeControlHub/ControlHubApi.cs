using Microsoft.AspNetCore.Mvc;

namespace FakeControlHub;

/// <summary>The Control Hub calls the service makes (reference §2.9), answered from the <see cref="JobStore"/>.</summary>
public static class ControlHubApi
{
    public static void MapControlHubApi(this IEndpointRouteBuilder app, CallGuard guard)
    {
        var api = app.MapGroup("").AddEndpointFilter(guard.InvokeAsync);
        api.MapPost("/jobrunner/rest/v1/job/{templateId}/createAndStartJobInstances", Create).WithName(Endpoints.Create);
        api.MapPost("/jobrunner/rest/v1/jobs/status", Statuses).WithName(Endpoints.Status);
        api.MapPost("/jobrunner/rest/v1/jobs", BulkGet).WithName(Endpoints.BulkGet);
        api.MapGet("/jobrunner/rest/v1/jobs", List).WithName(Endpoints.List);
        api.MapGet("/jobrunner/rest/v1/job/{id}", Get).WithName(Endpoints.Get);
        api.MapGet("/jobrunner/rest/v1/job/{id}/history", History).WithName(Endpoints.History);
        api.MapGet("/timeseries/rest/v1/metrics/job/{id}/recordCountsForAllRuns", RecordCounts).WithName(Endpoints.RecordCounts);
        api.MapPost("/jobrunner/rest/v1/job/{id}/stop", (string id, JobStore store) => Stop(id, false, store)).WithName(Endpoints.Stop);
        api.MapPost("/jobrunner/rest/v1/job/{id}/forceStop", (string id, JobStore store) => Stop(id, true, store)).WithName(Endpoints.ForceStop);
        api.MapDelete("/jobrunner/rest/v1/job/{id}", Delete).WithName(Endpoints.Delete);
    }

    private static async Task<IResult> Create(string templateId, CreationInfo info, JobStore store, FaultSwitch faults, HttpContext http)
    {
        if (info.RuntimeParametersList is null) return Issues(400, "JOBRUNNER_10", "runtimeParametersList is required");
        var created = store.Create(templateId, info);
        var f = faults.Current;
        if (f.AppliesTo(Endpoints.Create) && f.CreateThenFailRate > 0 && store.Draw() < f.CreateThenFailRate)
        {
            var hang = f.CreateThenFailMode switch { "hang" => true, "500" => false, _ => store.Draw() < 0.5 };
            store.RecordCreate(templateId, info, created, hang ? "created-then-hang" : "created-then-500");
            if (!hang) return Results.Json(new { message = "Internal Server Error" }, statusCode: 500);
            await CallGuard.HangAsync(f.HangMs, http.RequestAborted);
        }
        else
        {
            store.RecordCreate(templateId, info, created, "ok");
        }
        return Results.Ok(created.Select(j => j.Status(store.Now, store.Options.OrgId)).ToList());
    }

    private static IResult Statuses(string[] ids, JobStore store, CallStats stats, PollCycles cycles)
    {
        stats.JobIds(Endpoints.Status, ids.Length);
        cycles.Record(ids);
        return Results.Ok(store.FindMany(ids).ToDictionary(j => j.Id, j => j.Status(store.Now, store.Options.OrgId)));
    }

    private static IResult BulkGet(string[] ids, JobStore store, CallStats stats)
    {
        stats.JobIds(Endpoints.BulkGet, ids.Length);
        return Results.Ok(store.FindMany(ids).Select(j => j.Json(store.Now, store.Options.OrgId)).ToList());
    }

    private static IResult List(JobStore store, string? templateJobId, string? jobTag, int? offset, int? len)
    {
        var jobs = store.List(templateJobId, jobTag).Skip(Math.Max(offset ?? 0, 0));
        if (len is > 0) jobs = jobs.Take(len.Value);
        return Results.Ok(jobs.Select(j => j.Json(store.Now, store.Options.OrgId)).ToList());
    }

    private static IResult Get(string id, JobStore store) =>
        store.Find(id) is { } job ? Results.Ok(job.Json(store.Now, store.Options.OrgId)) : NotFound(id);

    /// <summary>Newest first; every fake job has run once.</summary>
    private static IResult History(string id, JobStore store) =>
        store.Find(id) is { } job ? Results.Ok(new[] { job.Status(store.Now, store.Options.OrgId) }) : NotFound(id);

    private static IResult RecordCounts(string id, JobStore store) =>
        store.Find(id) is { } job ? Results.Ok(job.RecordCounts(store.Now, store.Options.OrgId)) : NotFound(id);

    private static IResult Stop(string id, bool force, JobStore store)
    {
        var now = store.Now;
        var status = store.Change(id, job =>
        {
            if (!job.IsFinished(now))
            {
                job.StoppedAt ??= now;
                job.ForceStopped |= force;
            }
            return job.Status(now, store.Options.OrgId);
        });
        return status is null ? NotFound(id) : Results.Ok(status);
    }

    private static IResult Delete(string id, JobStore store)
    {
        var now = store.Now;
        var outcome = store.Change(id, job =>
        {
            if (!job.IsFinished(now)) return "active";
            job.Deleted = true;
            return "deleted";
        });
        return outcome switch
        {
            null => NotFound(id),
            "active" => Issues(400, "JOBRUNNER_03", $"Job '{id}' is active; stop it before deleting it"),
            _ => Results.Ok(),
        };
    }

    public static IResult Issues(int status, string code, string message) =>
        Results.Json(new IssuesBody([new Issue(code, message)]), statusCode: status);

    private static IResult NotFound(string id) => Issues(404, "JOBRUNNER_01", $"Job '{id}' not found");
}
