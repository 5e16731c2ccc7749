using System.Threading.RateLimiting;
using JobTemplateService.Common;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace JobTemplateService.Security;

internal static class SecurityRegistration
{
    public const string RateLimitPolicy = "per-caller";

    public static IServiceCollection AddServiceSecurity(this IServiceCollection services)
    {
        services.AddOptions<SecurityOptions>().BindConfiguration(SecurityOptions.Section)
            .Validate(o => o.AuthenticationDisabled || string.Equals(o.Mode, "ApiKeys", StringComparison.OrdinalIgnoreCase),
                "appsettings.json Security:Mode: must be ApiKeys or None (or set the environment variable Security__Mode)")
            .Validate(o => o.BootstrapAdminKey is null || o.BootstrapAdminKey.Length >= 24,
                "appsettings.json Security:BootstrapAdminKey: must be at least 24 characters (or set the environment variable Security__BootstrapAdminKey)")
            .Validate(o => o.RequestsPerSecond > 0 && o.Burst > 0 && o.UnauthenticatedRequestsPerSecond > 0 && o.UnauthenticatedBurst > 0,
                "appsettings.json Security:RequestsPerSecond/Burst: must be positive (or set the environment variable Security__RequestsPerSecond)")
            .Validate<IConfiguration>((o, configuration) => !o.AuthenticationDisabled || o.AllowNoNetworkAuth
                    || ListeningAddresses.AllLoopback(ListeningAddresses.Configured(configuration)),
                "appsettings.json Security:Mode: None turns authentication off and is for a local demo, so every listening address " +
                "must be loopback (--urls http://127.0.0.1:8888); use Security:Mode=ApiKeys, or set Security:AllowNoNetworkAuth=true " +
                "when something in front of the service authenticates (or set the environment variable Security__Mode)")
            .ValidateOnStart();
        // Without authentication, a page on any site could reach a local demo through DNS rebinding: answer only localhost names.
        services.AddOptions<HostFilteringOptions>().PostConfigure<IOptions<SecurityOptions>>((hosts, security) =>
        {
            if (!security.Value.AuthenticationDisabled || hosts.AllowedHosts.Any(h => h != "*")) return;
            hosts.AllowedHosts = ["localhost", "127.0.0.1", "[::1]"];
            hosts.IncludeFailureMessage = false;
        });
        services.AddSingleton<ApiKeyRepository>();
        services.AddSingleton<ApiKeyValidator>();
        services.AddSingleton<UnauthenticatedLimiter>();
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Scopes.Read, p => p.RequireClaim(Scopes.ClaimType, Scopes.Read, Scopes.Admin))
            .AddPolicy(Scopes.Launch, p => p.RequireClaim(Scopes.ClaimType, Scopes.Launch, Scopes.Admin))
            .AddPolicy(Scopes.Admin, p => p.RequireClaim(Scopes.ClaimType, Scopes.Admin));

        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(RateLimitPolicy, http =>
            {
                var settings = http.RequestServices.GetRequiredService<IOptions<SecurityOptions>>().Value;
                var caller = http.User.Identity?.Name ?? http.Connection.RemoteIpAddress?.ToString() ?? "anonymous";
                return RateLimitPartition.GetTokenBucketLimiter(caller, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = settings.Burst, TokensPerPeriod = settings.RequestsPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1), QueueLimit = 0, AutoReplenishment = true,
                });
            });
            o.OnRejected = (context, _) => RateLimited.WriteAsync(context.HttpContext,
                context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var delay) ? delay : TimeSpan.FromSeconds(1),
                "This API key sent more requests than it may; retry after Retry-After seconds.");
        });
        return services;
    }
}
