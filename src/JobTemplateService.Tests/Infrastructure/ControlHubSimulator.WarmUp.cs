using System.Text;

namespace JobTemplateService.Tests;

public sealed partial class ControlHubSimulator
{
    private static readonly Lazy<Task> WarmedUp = new(WarmUpOnceAsync);

    /// <summary>
    /// The first request WireMock serves in a process takes seconds on a busy machine (JIT), longer
    /// than TestApp's 2 s launch timeout: a clean launch would come back "outcome unknown". One
    /// throwaway create call per process first keeps launch tests about what they test.
    /// </summary>
    public static Task WarmUpAsync() => WarmedUp.Value;

    private static async Task WarmUpOnceAsync()
    {
        using var simulator = new ControlHubSimulator();
        using var http = new HttpClient { BaseAddress = new Uri(simulator.Url), Timeout = TimeSpan.FromSeconds(60) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/jobrunner/rest/v1/job/warm-up/createAndStartJobInstances")
        {
            Content = new StringContent("""{"namePostfixType":"COUNTER","runtimeParametersList":[{"A":"1"}],"rawJobTags":[]}""",
                Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-SS-App-Component-Id", CredId);
        request.Headers.Add("X-SS-App-Auth-Token", CredToken);
        request.Headers.Add("X-SS-Org-Id", OrgId);
        request.Headers.Add("X-SS-REST-CALL", "true");
        request.Headers.Add("X-Requested-By", "warm-up");
        using var response = await http.SendAsync(request);
    }
}
