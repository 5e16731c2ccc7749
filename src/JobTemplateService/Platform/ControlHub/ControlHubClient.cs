using System.Net;
using System.Net.Http.Json;
using Polly;

namespace JobTemplateService.Platform.ControlHub;

/// <summary>
/// Typed client for the Control Hub REST calls the service needs (reference §2.9). Credentials
/// and the CSRF headers are default headers of the HttpClient; 308 "org moved" is followed by
/// <see cref="OrgMovedHandler"/>; every call runs through <see cref="ControlHubResilience"/>.
/// </summary>
internal sealed class ControlHubClient(HttpClient http, ControlHubResilience resilience)
{
    public Task<List<ChJobStatus>> CreateAndStartJobInstancesAsync(string templateId, ChCreationInfo info, CancellationToken ct) =>
        SendAsync<List<ChJobStatus>>(HttpMethod.Post,
            $"jobrunner/rest/v1/job/{Escape(templateId)}/createAndStartJobInstances?inheritPermissions=False", info, launch: true, ct);

    public Task<Dictionary<string, ChJobStatus>> GetStatusesAsync(IReadOnlyCollection<string> jobIds, CancellationToken ct) =>
        SendAsync<Dictionary<string, ChJobStatus>>(HttpMethod.Post, "jobrunner/rest/v1/jobs/status", jobIds, launch: false, ct);

    public Task<List<ChJob>> GetJobsAsync(IReadOnlyCollection<string> jobIds, CancellationToken ct) =>
        SendAsync<List<ChJob>>(HttpMethod.Post, "jobrunner/rest/v1/jobs", jobIds, launch: false, ct);

    public Task<ChJob> GetJobAsync(string jobId, CancellationToken ct) =>
        SendAsync<ChJob>(HttpMethod.Get, $"jobrunner/rest/v1/job/{Escape(jobId)}", null, launch: false, ct);

    /// <summary>Status history, newest first.</summary>
    public Task<List<ChJobStatus>> GetHistoryAsync(string jobId, CancellationToken ct) =>
        SendAsync<List<ChJobStatus>>(HttpMethod.Get,
            $"jobrunner/rest/v1/job/{Escape(jobId)}/history?offset=0&len=1&withWrapper=False", null, launch: false, ct);

    /// <summary>Record counts per run; key "0" is the latest run and carries no runCount.</summary>
    public Task<Dictionary<string, ChRecordCounts>> GetRecordCountsAsync(string jobId, CancellationToken ct) =>
        SendAsync<Dictionary<string, ChRecordCounts>>(HttpMethod.Get,
            $"timeseries/rest/v1/metrics/job/{Escape(jobId)}/recordCountsForAllRuns?withAllEngines=False", null, launch: false, ct);

    public Task<List<ChJob>> FindJobsAsync(string templateId, string tag, CancellationToken ct) =>
        SendAsync<List<ChJob>>(HttpMethod.Get,
            $"jobrunner/rest/v1/jobs?templateJobId={Escape(templateId)}&jobTag={Escape(tag)}&offset=0&len=-1&withWrapper=False",
            null, launch: false, ct);

    public Task StopAsync(string jobId, bool force, CancellationToken ct) =>
        SendAsync<object>(HttpMethod.Post, $"jobrunner/rest/v1/job/{Escape(jobId)}/{(force ? "forceStop" : "stop")}", null, launch: false, ct);

    public Task DeleteAsync(string jobId, CancellationToken ct) =>
        SendAsync<object>(HttpMethod.Delete, $"jobrunner/rest/v1/job/{Escape(jobId)}", null, launch: false, ct);

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, bool launch, CancellationToken ct)
    {
        var context = ResilienceContextPool.Shared.Get(ct);
        context.Properties.Set(ControlHubResilience.IsLaunch, launch);
        try
        {
            using var response = await resilience.Pipeline.ExecuteAsync(static async (ctx, state) =>
            {
                using var request = new HttpRequestMessage(state.method, state.path);
                if (state.body is not null) request.Content = JsonContent.Create(state.body, options: ControlHubJson.Options);
                return await state.http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ctx.CancellationToken);
            }, context, (method, path, body, http));

            if (!response.IsSuccessStatusCode)
            {
                var text = await response.Content.ReadAsStringAsync(ct);
                var (code, message) = ControlHubJson.ParseError(text, (int)response.StatusCode);
                throw new ControlHubException((int)response.StatusCode, code, message);
            }
            if (typeof(T) == typeof(object) || response.StatusCode == HttpStatusCode.NoContent) return default!;
            return await response.Content.ReadFromJsonAsync<T>(ControlHubJson.Options, ct)
                ?? throw new ControlHubException((int)response.StatusCode, null, "Control Hub answered with an empty body.");
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static string Escape(string value) => Uri.EscapeDataString(value);
}
