using JobTemplateService.Catalog;
using JobTemplateService.Metrics;
using JobTemplateService.Runs;
using JobTemplateService.Security;
using JobTemplateService.Templates;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Prometheus;
using Serilog;

namespace JobTemplateService.Hosting;

internal static class Pipeline
{
    public static WebApplication UseJobTemplateServicePipeline(this WebApplication app)
    {
        app.UseSerilogRequestLogging(o =>
        {
            o.Logger = app.Services.GetRequiredService<Serilog.ILogger>();
            o.GetLevel = (http, _, ex) =>
                ex is not null || http.Response.StatusCode >= 500 ? Serilog.Events.LogEventLevel.Warning
                : http.Request.Path.StartsWithSegments("/health") || http.Request.Path.StartsWithSegments("/metrics")
                    ? Serilog.Events.LogEventLevel.Verbose : Serilog.Events.LogEventLevel.Information;
        });
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRequestTextGuard();
        app.UseServiceOpenApi();
        var registry = app.Services.GetRequiredService<Prometheus.CollectorRegistry>();
        // http_request_duration_seconds by route template, method and code
        app.UseHttpMetrics(o => o.SetMetricFactory(Prometheus.Metrics.WithCustomRegistry(registry)));
        app.UseUnauthenticatedLimiter(); // before authentication: an unknown key must not cost a database look-up unthrottled
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.WarnAtStartup();
        return app;
    }

    /// <summary>Every endpoint of the service: its APIs, then health and metrics.</summary>
    public static WebApplication MapJobTemplateServiceEndpoints(this WebApplication app)
    {
        app.MapRunsApi();
        app.MapMetricsApi();
        app.MapTemplatesApi();
        app.MapAdminApi();
        app.MapPlatformParametersApi();
        app.MapTemplateAdminApi();
        return app.MapOperationalEndpoints();
    }

    /// <summary>Liveness, readiness and Prometheus metrics: unauthenticated and cheap.</summary>
    public static WebApplication MapOperationalEndpoints(this WebApplication app)
    {
        app.MapMetrics("/metrics", app.Services.GetRequiredService<Prometheus.CollectorRegistry>());
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).WithTags("Health");
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") })
            .WithTags("Health");
        return app;
    }
}
