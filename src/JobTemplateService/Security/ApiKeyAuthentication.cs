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
        if (security.Value.AuthenticationDisabled) return Success(new ApiKeyIdentity(null, Scopes.All, OwnRunsOnly: false));
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

    private static AuthenticateResult Success(ApiKeyIdentity identity)
    {
        var claims = identity.Scopes.Select(s => new Claim(Scopes.ClaimType, s)).ToList();
        claims.AddRange(identity.Templates.Select(t => new Claim(TemplateLimits.ClaimType, t)));
        if (identity.Name is not null) claims.Add(new Claim(ClaimTypes.Name, identity.Name));
        if (identity.OwnRunsOnly) claims.Add(new Claim(Scopes.OwnRunsOnlyClaim, "true"));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, identity.Name is null ? null : SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }
}

/// <summary>A validated key: its name (none when authentication is off), scopes, template limits and run visibility.</summary>
internal sealed record ApiKeyIdentity(string? Name, IReadOnlyList<string> Scopes, bool OwnRunsOnly)
{
    public IReadOnlyList<string> Templates { get; init; } = [];
}
