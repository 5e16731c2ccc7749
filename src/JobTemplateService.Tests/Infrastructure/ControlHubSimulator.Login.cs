using System.Text;
using System.Text.Json.Nodes;
using WireMock;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace JobTemplateService.Tests;

/// <summary>
/// The StreamSets login service, on the same server: it names each organization's Control Hub
/// (its landing URL). Credential tokens are JWTs whose "o" claim is the organization.
/// </summary>
public sealed partial class ControlHubSimulator
{
    public const string LandingPath = "/security/public-rest/v1/aster/landing";

    /// <summary>Status the login service answers with instead of the organization info; null = answer normally.</summary>
    public int? LoginFailure { get; set; }

    /// <summary>The Control Hub the login service names; null = this simulator.</summary>
    public string? LandingBaseUrl { get; set; }

    public IReadOnlyList<WireMock.Logging.ILogEntry> LoginCalls => Calls("GET", "/api/security/public/v3/orgs/");

    /// <summary>
    /// A credential token as Control Hub issues them: a JWT naming the organization in "o". The
    /// payload is chosen so that its base64url text has '-' and '_' in it.
    /// </summary>
    public static string Token(string organization, string signature = "c2ltdWxhdGVk-c2lnbmF0dXJl")
    {
        static string Encode(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var header = Encode("""{"alg":"RS256","typ":"JWT"}""");
        for (var filler = "?"; ; filler += "?")
        {
            // '?' encodes to '/' (base64url '_') at some offsets; the length is kept off a multiple of 4 (padding needed).
            var payload = Encode($$"""{"o":{{System.Text.Json.JsonSerializer.Serialize(organization)}},"s":"{{CredId}}","x":"{{filler}}"}""");
            if ((payload.Contains('-') || payload.Contains('_')) && payload.Length % 4 != 0) return $"{header}.{payload}.{signature}";
        }
    }

    private void RegisterLoginStub()
    {
        // aster_api.ApiClient.get_org_info: no credentials, only the CSRF headers and content-type.
        server.Given(Request.Create().UsingGet().WithPath(new RegexMatcher("^/api/security/public/v3/orgs/[^/]+/info$"))
                .WithHeader("X-SS-REST-CALL", "true").WithHeader("X-Requested-By", new RegexMatcher(".+"))
                .WithHeader("Content-Type", new WildcardMatcher("application/json*", true)))
            .AtPriority(10)
            .RespondWith(Response.Create().WithCallback(OrgInfo));
    }

    private ResponseMessage OrgInfo(IRequestMessage request)
    {
        if (LoginFailure is { } status) return Answer(status, new JsonObject { ["message"] = "Service Unavailable" });
        var organization = Segment(request, 1);
        if (organization != OrgId) return Answer(404, new JsonObject { ["message"] = $"Organization {organization} not found" });
        return Answer(200, new JsonObject
        {
            ["data"] = new JsonObject { ["id"] = OrgId, ["landingUrl"] = (LandingBaseUrl ?? Url) + LandingPath, ["name"] = "Simulated organization" },
        });
    }
}
