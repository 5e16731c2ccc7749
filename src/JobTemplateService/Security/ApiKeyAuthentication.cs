using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
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

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (security.Value.AuthenticationDisabled) return Success(null, Scopes.All, []);

        var key = Request.Headers["X-API-Key"].FirstOrDefault();
        var authorization = Request.Headers.Authorization.FirstOrDefault();
        if (key is null && authorization?.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) == true)
            key = authorization["Bearer ".Length..].Trim();
        if (string.IsNullOrEmpty(key)) return AuthenticateResult.NoResult();

        var identity = await validator.ValidateAsync(key, Context.RequestAborted);
        return identity is null ? AuthenticateResult.Fail("Invalid or revoked API key.") : Success(identity.Name, identity.Scopes, identity.Templates);
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer realm=\"JobTemplateService\"";
        return Task.CompletedTask;
    }

    private static AuthenticateResult Success(string? name, IEnumerable<string> scopes, IEnumerable<string> templates)
    {
        var claims = scopes.Select(s => new Claim(Scopes.ClaimType, s)).ToList();
        claims.AddRange(templates.Select(t => new Claim(TemplateLimits.ClaimType, t)));
        if (name is not null) claims.Add(new Claim(ClaimTypes.Name, name));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, name is null ? null : SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }
}

internal sealed record ApiKeyIdentity(string Name, IReadOnlyList<string> Scopes)
{
    public IReadOnlyList<string> Templates { get; init; } = [];
}

/// <summary>
/// Checks keys against the database (or the bootstrap key from configuration), remembering a
/// result for Security:KeyCacheDuration so a busy caller costs one lookup per period, not per request.
/// </summary>
internal sealed class ApiKeyValidator(ApiKeyRepository keys, IOptions<SecurityOptions> options, TimeProvider time)
{
    public const string BootstrapName = "bootstrap-admin";
    private readonly ConcurrentDictionary<string, (ApiKeyIdentity? Identity, DateTimeOffset Until)> cache = new();

    public async Task<ApiKeyIdentity?> ValidateAsync(string key, CancellationToken ct)
    {
        var hash = ApiKeyRepository.Hash(key);
        if (options.Value.BootstrapAdminKey is { Length: > 0 } bootstrap
            && CryptographicOperations.FixedTimeEquals(hash, ApiKeyRepository.Hash(bootstrap)))
        {
            return new ApiKeyIdentity(BootstrapName, Scopes.All);
        }

        var cacheKey = Convert.ToHexString(hash);
        var now = time.GetUtcNow();
        if (cache.TryGetValue(cacheKey, out var cached) && cached.Until > now) return cached.Identity;

        var record = await keys.FindValidAsync(key, ct);
        var identity = record is null ? null : new ApiKeyIdentity(record.Name, record.Scopes) { Templates = record.Templates };
        if (cache.Count > 10_000) cache.Clear();
        cache[cacheKey] = (identity, now + options.Value.KeyCacheDuration);
        return identity;
    }
}
