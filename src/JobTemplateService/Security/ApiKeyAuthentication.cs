using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace JobTemplateService.Security;

/// <summary>
/// Authorization: Bearer &lt;key&gt; or X-API-Key: &lt;key&gt;. The principal's name is the key's name
/// (recorded on every run it launches); its scope claims decide what it may do.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger,
    UrlEncoder encoder, ApiKeyValidator validator, IOptions<SecurityOptions> security)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    /// <summary>The key a request carries, if any.</summary>
    public static string? PresentedKey(HttpRequest request)
    {
        var key = request.Headers["X-API-Key"].FirstOrDefault();
        var authorization = request.Headers.Authorization.FirstOrDefault();
        if (key is null && authorization?.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) == true)
            key = authorization["Bearer ".Length..].Trim();
        return string.IsNullOrEmpty(key) ? null : key;
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (security.Value.AuthenticationDisabled) return Success(ApiKeyIdentity.Anonymous);
        if (PresentedKey(Request) is not { } key) return AuthenticateResult.NoResult();

        var identity = await validator.ValidateAsync(key, Context.RequestAborted);
        return identity is null ? AuthenticateResult.Fail("Invalid or revoked API key.") : Success(identity);
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer realm=\"JobTemplateService\"";
        return Task.CompletedTask;
    }

    private static AuthenticateResult Success(ApiKeyIdentity identity) =>
        AuthenticateResult.Success(new AuthenticationTicket(identity.ToPrincipal(SchemeName), SchemeName));
}

/// <summary>
/// A validated key: its name (none when authentication is off), scopes, template limits and run
/// visibility. The API and the console's sessions turn it into the same principal.
/// </summary>
internal sealed record ApiKeyIdentity(string? Name, IReadOnlyList<string> Scopes, bool OwnRunsOnly)
{
    /// <summary>Security:Mode=None: no caller name, every scope.</summary>
    public static readonly ApiKeyIdentity Anonymous = new(null, Security.Scopes.All, OwnRunsOnly: false);

    public IReadOnlyList<string> Templates { get; init; } = [];

    public static ApiKeyIdentity From(ApiKeyRecord record) => new(record.Name, record.Scopes, record.OwnRunsOnly) { Templates = record.Templates };

    public ClaimsPrincipal ToPrincipal(string scheme)
    {
        var claims = Scopes.Select(s => new Claim(Security.Scopes.ClaimType, s)).ToList();
        claims.AddRange(Templates.Select(t => new Claim(TemplateLimits.ClaimType, t)));
        if (Name is not null) claims.Add(new Claim(ClaimTypes.Name, Name));
        if (OwnRunsOnly) claims.Add(new Claim(Security.Scopes.OwnRunsOnlyClaim, "true"));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, Name is null ? null : scheme));
    }
}
