using System.Text.Encodings.Web;
using JobTemplateService.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace JobTemplateService.WebConsole;

/// <summary>
/// The console's sign-in: the session cookie's token → the session's API key → the same principal
/// (name, scopes) the key gets on the API. With Security:Mode=None there is no sign-in, as on the API.
/// </summary>
internal sealed class ConsoleAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger,
    UrlEncoder encoder, ConsoleSessions sessions, IOptions<SecurityOptions> security)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ConsoleSession";
    public const string CookieName = KnownSessions.CookieName;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (security.Value.AuthenticationDisabled) return Success(ApiKeyIdentity.Anonymous);
        if (Request.Cookies[CookieName] is not { Length: > 0 } token) return AuthenticateResult.NoResult();
        var identity = await sessions.FindAsync(token, Context.RequestAborted);
        return identity is null ? AuthenticateResult.Fail("The console session is over.") : Success(identity);
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var target = "/ui/sign-in?return=" + Uri.EscapeDataString(Request.PathBase + Request.Path + Request.QueryString);
        if (Request.Headers.ContainsKey("HX-Request"))
        {
            // htmx follows HX-Redirect with a full page load: the sign-in page, not a fragment of it.
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            Response.Headers["HX-Redirect"] = target;
        }
        else
        {
            Response.Redirect(target);
        }
        return Task.CompletedTask;
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        return Task.CompletedTask;
    }

    public static void SetCookie(HttpContext http, string token) => http.Response.Cookies.Append(CookieName, token, Cookie(http));

    public static void DeleteCookie(HttpContext http) => http.Response.Cookies.Delete(CookieName, Cookie(http));

    private static CookieOptions Cookie(HttpContext http) => new()
    {
        HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = http.Request.IsHttps, Path = "/ui", IsEssential = true,
    };

    private static AuthenticateResult Success(ApiKeyIdentity identity) =>
        AuthenticateResult.Success(new AuthenticationTicket(identity.ToPrincipal(SchemeName), SchemeName));
}
