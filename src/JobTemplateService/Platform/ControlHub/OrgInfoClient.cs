using System.Net.Http.Json;
using System.Text.Json.Serialization;

namespace JobTemplateService.Platform.ControlHub;

/// <summary>
/// The StreamSets login service's public organization info: no credentials are sent, only the
/// organization id. Its landing URL minus the landing path is the organization's Control Hub.
/// </summary>
internal sealed class OrgInfoClient(HttpClient http)
{
    private const string LandingPath = "/security/public-rest/v1/aster/landing";

    // aster_api.ApiClient.get_org_info, and the landing URL rewrite in sch_api.ApiClient.__init__
    public async Task<Uri> LandingBaseAsync(ControlHubOptions options, string organization, TimeSpan timeout, CancellationToken ct)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timer.CancelAfter(timeout);
        var uri = new Uri(options.LoginUri, $"api/security/public/v3/orgs/{Uri.EscapeDataString(organization)}/info");
        using var request = new HttpRequestMessage(HttpMethod.Get, uri) { Content = ControlHubClient.EmptyJson() };
        request.Headers.Add("X-Requested-By", options.RequestedBy);
        request.Headers.Add("X-SS-REST-CALL", "true");
        OrgInfo? info;
        try
        {
            using var response = await http.SendAsync(request, timer.Token);
            if (!response.IsSuccessStatusCode)
                throw new HttpRequestException($"{uri} answered {(int)response.StatusCode}", null, response.StatusCode);
            info = await response.Content.ReadFromJsonAsync<OrgInfo>(ControlHubJson.Options, timer.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"{uri} did not answer within {timeout}");
        }
        var landing = info?.Data?.LandingUrl?.Trim() ?? throw new InvalidDataException($"{uri} answered no data.landingUrl");
        var index = landing.IndexOf(LandingPath, StringComparison.Ordinal);
        var baseUrl = (index >= 0 ? landing[..index] : landing).TrimEnd('/');
        return Uri.TryCreate(baseUrl + "/", UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https"
            ? parsed
            : throw new InvalidDataException($"{uri} answered a landing URL that is not an http(s) URL");
    }

    private sealed record OrgInfo([property: JsonPropertyName("data")] OrgInfoData? Data);

    private sealed record OrgInfoData([property: JsonPropertyName("landingUrl")] string? LandingUrl);
}
