using System.Threading.RateLimiting;
using JobTemplateService.Common;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
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
            .Validate(o => o.RequestsPerSecond > 0 && o.Burst > 0,
                "appsettings.json Security:RequestsPerSecond/Burst: must be positive (or set the environment variable Security__RequestsPerSecond)")
            .ValidateOnStart();
        services.AddSingleton<ApiKeyRepository>();
        services.AddSingleton<ApiKeyValidator>();
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
            o.OnRejected = async (context, ct) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var delay) ? delay : TimeSpan.FromSeconds(1);
                context.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString();
                await context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context.HttpContext,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = StatusCodes.Status429TooManyRequests, Type = Problems.TypePrefix + "rate-limited",
                        Title = "Too many requests.", Detail = "This API key sent more requests than it may; retry after Retry-After seconds.",
                    },
                });
            };
        });
        return services;
    }
}
