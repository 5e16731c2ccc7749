using System.Net.Http.Json;
using System.Text.Json;
using JobTemplateService.Platform.ControlHub;
using Microsoft.Extensions.Options;

namespace JobTemplateService.Benchmarks;

/// <summary>
/// The floor's Control Hub create call: the service's URL, headers and body shape, one plain HttpClient, nothing around it;
/// then the re-read of the created jobs that any client must make to know which job is whose (the answer holds statuses).
/// </summary>
internal sealed class FloorPlatform(IOptions<ControlHubOptions> options)
{
    private static readonly JsonSerializerOptions CamelCase = new(JsonSerializerDefaults.Web);

    private readonly HttpClient http = Create(options.Value);

    public async Task<string[]> CreateAndStartAsync(string templateId, Guid runId, IReadOnlyList<Dictionary<string, string>> sets,
        CancellationToken ct)
    {
        var body = new
        {
            NamePostfixType = "COUNTER", ParamName = (string?)null, RuntimeParametersList = sets, AttachToTemplate = true,
            DeleteAfterCompletion = false, Name = (string?)null, Description = (string?)null, RawJobTags = new[] { $"jts-run-{runId:N}" },
        };
        using var response = await http.PostAsJsonAsync(
            $"jobrunner/rest/v1/job/{Uri.EscapeDataString(templateId)}/createAndStartJobInstances?inheritPermissions=False", body, CamelCase, ct);
        response.EnsureSuccessStatusCode();
        using var statuses = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
        var jobIds = statuses.RootElement.EnumerateArray().Select(s => s.GetProperty("jobId").GetString()!).ToArray();
        using var jobs = await http.PostAsJsonAsync("jobrunner/rest/v1/jobs", jobIds, CamelCase, ct);
        jobs.EnsureSuccessStatusCode();
        return jobIds;
    }

    private static HttpClient Create(ControlHubOptions options)
    {
        var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = options.BaseUri };
        http.DefaultRequestHeaders.Add("X-SS-App-Component-Id", options.CredId);
        http.DefaultRequestHeaders.Add("X-SS-App-Auth-Token", options.CredToken);
        http.DefaultRequestHeaders.Add("X-SS-Org-Id", options.Organization);
        http.DefaultRequestHeaders.Add("X-Requested-By", options.RequestedBy);
        http.DefaultRequestHeaders.Add("X-SS-REST-CALL", "true");
        return http;
    }
}
