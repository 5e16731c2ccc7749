using System.Threading.RateLimiting;
using JobTemplateService.Common;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace JobTemplateService.Security;

/// <summary>
/// Runs before authentication: a request without a key known to be valid spends a token of its
/// client address's bucket first, so a flood of unknown keys is throttled before it costs a
/// database look-up. Known keys go straight on to their own per-key limit after authentication.
/// </summary>
internal sealed class UnauthenticatedLimiter(ApiKeyValidator validator, IOptions<SecurityOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<HttpContext> limiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
        RateLimitPartition.GetTokenBucketLimiter(http.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.Value.UnauthenticatedBurst, TokensPerPeriod = options.Value.UnauthenticatedRequestsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1), QueueLimit = 0, AutoReplenishment = true,
        }));

    public async Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        if (options.Value.AuthenticationDisabled
            || ApiKeyAuthenticationHandler.PresentedKey(http.Request) is { } key && validator.IsKnownValid(key))
        {
            await next(http);
            return;
        }
        using var lease = limiter.AttemptAcquire(http);
        if (lease.IsAcquired)
        {
            await next(http);
            return;
        }
        await RateLimited.WriteAsync(http, lease.TryGetMetadata(MetadataName.RetryAfter, out var delay) ? delay : TimeSpan.FromSeconds(1),
            "This client address sent more requests without a valid API key than it may; retry after Retry-After seconds.");
    }

    public void Dispose() => limiter.Dispose();
}

internal static class RateLimited
{
    public static IApplicationBuilder UseUnauthenticatedLimiter(this IApplicationBuilder app) =>
        app.Use(next => http => http.RequestServices.GetRequiredService<UnauthenticatedLimiter>().InvokeAsync(http, next));

    public static async ValueTask WriteAsync(HttpContext http, TimeSpan retryAfter, string detail)
    {
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString();
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status429TooManyRequests, Type = Problems.TypePrefix + "rate-limited",
                Title = "Too many requests.", Detail = detail,
            },
        });
    }
}
