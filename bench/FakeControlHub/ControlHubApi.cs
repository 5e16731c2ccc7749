namespace FakeControlHub;

/// <summary>
/// The Control Hub calls the service makes, answered from the <see cref="JobStore"/> the way the
/// official SDK (streamsets 6.7) calls and reads them; each route names the SDK method it follows.
/// </summary>
public static partial class ControlHubApi
{
    public static void MapControlHubApi(this IEndpointRouteBuilder app, CallGuard guard)
    {
        var api = app.MapGroup("").AddEndpointFilter(guard.InvokeAsync);
        api.MapPost("/jobrunner/rest/v1/job/{templateId}/createAndStartJobInstances", Create) // sch_api.ApiClient.create_and_start_job_instances
            .WithName(Endpoints.Create);
        api.MapPost("/jobrunner/rest/v1/jobs/status", Statuses).WithName(Endpoints.Status); // sch_api.ApiClient.get_jobs_status
        api.MapPost("/jobrunner/rest/v1/jobs", BulkGet).WithName(Endpoints.BulkGet); // sch_api.ApiClient.get_jobs
        api.MapGet("/jobrunner/rest/v1/jobs", List).WithName(Endpoints.List); // sch_api.ApiClient.return_all_jobs (sch_models.Jobs)
        api.MapGet("/jobrunner/rest/v1/job/{id}", Get).WithName(Endpoints.Get); // sch_api.ApiClient.get_job
        api.MapGet("/jobrunner/rest/v1/job/{id}/history", History).WithName(Endpoints.History); // sch_api.ApiClient.get_job_status_history
        api.MapGet("/timeseries/rest/v1/metrics/job/{id}/recordCountsForAllRuns", RecordCounts) // sch_api.ApiClient.get_job_record_count_for_all_runs
            .WithName(Endpoints.RecordCounts);
        api.MapPost("/jobrunner/rest/v1/job/{id}/stop", (string id, JobStore store) => Stop(id, false, store)) // sch_api.ApiClient.stop_job
            .WithName(Endpoints.Stop);
        api.MapPost("/jobrunner/rest/v1/job/{id}/forceStop", (string id, JobStore store) => Stop(id, true, store)) // sch_api.ApiClient.force_stop_job
            .WithName(Endpoints.ForceStop);
        api.MapPost("/jobrunner/rest/v1/jobs/stopJobs", (string[] ids, JobStore store) => StopMany(ids, false, store)) // sch_api.ApiClient.stop_jobs
            .WithName(Endpoints.StopJobs);
        api.MapPost("/jobrunner/rest/v1/jobs/forceStopJobs", (string[] ids, JobStore store) => StopMany(ids, true, store)) // sch_api.ApiClient.force_stop_jobs
            .WithName(Endpoints.ForceStopJobs);
        api.MapDelete("/jobrunner/rest/v{version:int}/job/{id}", Delete).WithName(Endpoints.Delete); // sch_api.ApiClient.delete_job (v2 and v1)
        api.MapPost("/jobrunner/rest/v1/jobs/deleteJobs", DeleteMany).WithName(Endpoints.DeleteJobs); // sch_api.ApiClient.delete_jobs
        api.MapGet("/jobrunner/rest/swagger.json", JobRunnerApi).WithName(Endpoints.JobRunnerApi); // sch_api.ApiClient.get_job_api
        app.MapGet("/api/security/public/v3/orgs/{orgId}/info", OrgInfo).WithName("orgInfo"); // aster_api.ApiClient.get_org_info
    }

    /// <summary>Answers job statuses (jobId), in the order <see cref="FakeOptions.AnswerOrder"/> says, not necessarily the request's.</summary>
    private static async Task<IResult> Create(string templateId, CreationInfo info, JobStore store, FaultSwitch faults, HttpContext http)
    {
        if (info.RuntimeParametersList is null) return Issues(400, "JOBRUNNER_10", "runtimeParametersList is required");
        var created = store.Create(templateId, info);
        var f = faults.Current;
        if (f.AppliesTo(Endpoints.Create) && f.CreateThenFailRate > 0 && store.Draw() < f.CreateThenFailRate)
        {
            var mode = f.CreateThenFailMode ?? (store.Draw() < 0.5 ? "hang" : "500");
            store.RecordCreate(templateId, info, created, $"created-then-{mode}");
            if (mode == "500") return Results.Json(new { message = "Internal Server Error" }, statusCode: 500);
            if (mode == "reset")
            {
                http.Abort();
                return Results.Empty;
            }
            await CallGuard.HangAsync(f.HangMs, http.RequestAborted);
        }
        else
        {
            store.RecordCreate(templateId, info, created, "ok");
        }
        return Results.Ok(store.InAnswerOrder(created).Select(j => j.Status(store.Now, store.Options.OrgId)).ToList());
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

    /// <summary>
    /// Jobs whose tag id ("&lt;tag&gt;:&lt;org&gt;") is jobTag, oldest first, a page at a time; wrapped
    /// ({data, totalCount, offset, len}) when withWrapper=True. templateJobId is not a filter: the SDK never sends it.
    /// </summary>
    private static IResult List(JobStore store, string? jobTag, int? offset, int? len, string? withWrapper)
    {
        var all = store.List(jobTag);
        var from = Math.Max(offset ?? 0, 0);
        var length = len is >= 0 ? Math.Min(len.Value, store.Options.MaxPageLength) : store.Options.MaxPageLength;
        var page = all.Skip(from).Take(length).Select(j => j.Json(store.Now, store.Options.OrgId)).ToList();
        return string.Equals(withWrapper, "true", StringComparison.OrdinalIgnoreCase)
            ? Results.Ok(new JobPage(page, all.Count, from, length))
            : Results.Ok(page);
    }

    /// <summary>A job, or a job template with its own runtimeParameters (sch_models.Job.runtime_parameters reads them).</summary>
    private static IResult Get(string id, JobStore store) =>
        store.Find(id) is { } job ? Results.Ok(job.Json(store.Now, store.Options.OrgId))
        : store.Template(id) is { } template ? Results.Ok(template) : NotFound(id);

    /// <summary>Newest first; every fake job has run once.</summary>
    private static IResult History(string id, JobStore store) =>
        store.Find(id) is { } job ? Results.Ok(new[] { job.Status(store.Now, store.Options.OrgId) }) : NotFound(id);

    private static IResult RecordCounts(string id, JobStore store) =>
        store.Find(id) is { } job ? Results.Ok(job.RecordCounts(store.Now, store.Options.OrgId)) : NotFound(id);

    /// <summary>The login service's public organization info: the landing URL of this fake itself.</summary>
    private static IResult OrgInfo(string orgId, JobStore store, HttpContext http) => orgId == store.Options.OrgId
        ? Results.Ok(new { data = new { id = orgId, landingUrl = $"{http.Request.Scheme}://{http.Request.Host}/security/public-rest/v1/aster/landing" } })
        : Issues(404, "SECURITY_404", $"Organization '{orgId}' not found");

    public static IResult Issues(int status, string code, string message) =>
        Results.Json(new IssuesBody([new Issue(code, message)]), statusCode: status);

    private static IResult NotFound(string id) => Issues(404, "JOBRUNNER_01", $"Job '{id}' not found");
}
