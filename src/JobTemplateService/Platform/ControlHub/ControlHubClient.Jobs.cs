namespace JobTemplateService.Platform.ControlHub;

/// <summary>Search, stop and delete, in the forms the SDK uses.</summary>
internal sealed partial class ControlHubClient
{
    /// <summary>
    /// One page of jobs carrying a tag. <paramref name="tagId"/> is the tag's id, "&lt;tag&gt;:&lt;organization&gt;":
    /// Control Hub matches tags by id, and the SDK rewrites the tag filter to that form.
    /// </summary>
    // sch_api.ApiClient.return_all_jobs, with the arguments sch_models.Jobs._get_all_results_from_api passes
    public Task<ChJobPage> SearchJobsAsync(string tagId, int offset, int length, CancellationToken ct) =>
        SendAsync<ChJobPage>(HttpMethod.Get, JobRunner("v1/jobs",
            ("offset", offset.ToString()), ("len", length.ToString()), ("orderBy", "CREATE_TIME"), ("order", "ASC"),
            ("removed", "False"), ("system", "False"), ("jobSearchOperation", "EQUALS"), ("jobSearchText", ""),
            ("jobTag", tagId), ("withWrapper", "True"), ("archived", "False"), ("draftRun", "False")), null, launch: false, ct);

    // sch_api.ApiClient.stop_jobs / force_stop_jobs
    public Task StopJobsAsync(IReadOnlyCollection<string> jobIds, bool force, CancellationToken ct) =>
        SendAsync<object>(HttpMethod.Post, JobRunner(force ? "v1/jobs/forceStopJobs" : "v1/jobs/stopJobs"), jobIds, launch: false, ct);

    // sch_api.ApiClient.stop_job / force_stop_job
    public Task StopJobAsync(string jobId, bool force, CancellationToken ct) =>
        SendAsync<object>(HttpMethod.Post, JobRunner($"v1/job/{Escape(jobId)}/{(force ? "forceStop" : "stop")}"), null, launch: false, ct);

    // sch_api.ApiClient.delete_job (api_version 2 when the job runner offers it, as sch.ControlHub.delete_job decides)
    public Task DeleteJobAsync(string jobId, int apiVersion, CancellationToken ct) =>
        SendAsync<object>(HttpMethod.Delete, JobRunner($"v{apiVersion}/job/{Escape(jobId)}"), null, launch: false, ct);

    // sch_api.ApiClient.delete_jobs
    public Task DeleteJobsAsync(IReadOnlyCollection<string> jobIds, CancellationToken ct) =>
        SendAsync<object>(HttpMethod.Post, JobRunner("v1/jobs/deleteJobs"), jobIds, launch: false, ct);

    /// <summary>The job runner's API description (swagger 2.0), for the paths it offers.</summary>
    // sch_api.ApiClient.get_job_api
    public Task<ChApiDescription> GetJobRunnerApiAsync(CancellationToken ct) =>
        SendAsync<ChApiDescription>(HttpMethod.Get, JobRunner("swagger.json"), null, launch: false, ct);
}
