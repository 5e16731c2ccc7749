using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Polly;

namespace JobTemplateService.Platform.ControlHub;

/// <summary>
/// Typed client for the Control Hub REST calls the service needs, each following the SDK method
/// named beside it. The credential, organization and CSRF headers are default headers of the
/// HttpClient; the base URL comes from <see cref="ControlHubSite"/>; 308 "org moved" is followed
/// by <see cref="OrgMovedHandler"/>; every call runs through <see cref="ControlHubResilience"/>.
/// </summary>
internal sealed partial class ControlHubClient(HttpClient http, ControlHubResilience resilience, ControlHubSite site,
    IOptions<ControlHubOptions> options)
{
    // sch_api.ApiClient.create_and_start_job_instances
    public Task<List<ChJobStatus>> CreateAndStartJobInstancesAsync(string templateId, ChCreationInfo info, CancellationToken ct) =>
        SendAsync<List<ChJobStatus>>(HttpMethod.Post,
            JobRunner($"v1/job/{Escape(templateId)}/createAndStartJobInstances", ("inheritPermissions", "False")), info, launch: true, ct);

    // sch_api.ApiClient.get_jobs_status
    public Task<Dictionary<string, ChJobStatus>> GetStatusesAsync(IReadOnlyCollection<string> jobIds, CancellationToken ct) =>
        SendAsync<Dictionary<string, ChJobStatus>>(HttpMethod.Post, JobRunner("v1/jobs/status"), jobIds, launch: false, ct);

    // sch_api.ApiClient.get_jobs
    public Task<List<ChJobSummary>> GetJobsAsync(IReadOnlyCollection<string> jobIds, CancellationToken ct) =>
        SendAsync<List<ChJobSummary>>(HttpMethod.Post, JobRunner("v1/jobs"), jobIds, launch: false, ct);

    // sch_api.ApiClient.get_job
    public Task<ChJob> GetJobAsync(string jobId, CancellationToken ct) =>
        SendAsync<ChJob>(HttpMethod.Get, JobRunner($"v1/job/{Escape(jobId)}"), null, launch: false, ct);

    /// <summary>Status history, newest first.</summary>
    // sch_api.ApiClient.get_job_status_history (as sch_models.Job.history calls it)
    public Task<List<ChJobStatus>> GetHistoryAsync(string jobId, CancellationToken ct) =>
        SendAsync<List<ChJobStatus>>(HttpMethod.Get,
            JobRunner($"v1/job/{Escape(jobId)}/history", ("offset", "0"), ("len", "1"), ("withWrapper", "False")), null, launch: false, ct);

    /// <summary>Record counts per run; key "0" is the latest run and carries no runCount. Not a job runner call: no project.</summary>
    // sch_api.ApiClient.get_job_record_count_for_all_runs
    public Task<Dictionary<string, ChRecordCounts>> GetRecordCountsAsync(string jobId, CancellationToken ct) =>
        SendAsync<Dictionary<string, ChRecordCounts>>(HttpMethod.Get,
            $"timeseries/rest/v1/metrics/job/{Escape(jobId)}/recordCountsForAllRuns?withAllEngines=False", null, launch: false, ct);

    /// <summary>A body for requests that have none: the SDK sends content-type: application/json on every call.</summary>
    public static HttpContent EmptyJson() => Json(null);

    private static ByteArrayContent Json(byte[]? utf8) =>
        new(utf8 ?? []) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") { CharSet = utf8 is null ? null : "utf-8" } } };

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, bool launch, CancellationToken ct)
    {
        var uri = new Uri(await site.BaseUriAsync(ct), path);
        // Serialized once, however often the pipeline sends it.
        var content = body is null ? null : JsonSerializer.SerializeToUtf8Bytes(body, body.GetType(), ControlHubJson.Options);
        var context = ResilienceContextPool.Shared.Get(ct);
        context.Properties.Set(ControlHubResilience.IsLaunch, launch);
        try
        {
            using var response = await resilience.Pipeline.ExecuteAsync(static async (ctx, state) =>
            {
                using var request = new HttpRequestMessage(state.method, state.uri) { Content = Json(state.content) };
                return await state.http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ctx.CancellationToken);
            }, context, (method, uri, content, http));

            if (!response.IsSuccessStatusCode)
            {
                var text = await response.Content.ReadAsStringAsync(ct);
                var (code, message) = ControlHubJson.ParseError(text, (int)response.StatusCode);
                throw new ControlHubException((int)response.StatusCode, code, message);
            }
            if (typeof(T) == typeof(object) || response.StatusCode == HttpStatusCode.NoContent) return default!;
            // The answer is already read whole (ResponseContentRead): parsed from memory in one pass, not resumably from a stream.
            var answer = await response.Content.ReadAsByteArrayAsync(ct);
            return JsonSerializer.Deserialize<T>(answer, ControlHubJson.Options)
                ?? throw new ControlHubException((int)response.StatusCode, null, "Control Hub answered with an empty body.");
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>A job runner path, with project=… when one is configured (sch_api.ApiClient._update_project_param_based_on_app).</summary>
    private string JobRunner(string path, params (string Name, string Value)[] query)
    {
        var project = options.Value.Project;
        var all = string.IsNullOrWhiteSpace(project) ? query : [.. query, ("project", project.Trim())];
        return $"jobrunner/rest/{path}" + (all.Length == 0 ? "" : "?" + string.Join('&', all.Select(p => $"{p.Name}={Escape(p.Value)}")));
    }

    private static string Escape(string value) => Uri.EscapeDataString(value);
}
