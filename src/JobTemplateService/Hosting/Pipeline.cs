using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Serilog;

namespace JobTemplateService;

internal static class Pipeline
{
    public static WebApplication UseJobTemplateServicePipeline(this WebApplication app)
    {
        app.UseSerilogRequestLogging(o => o.GetLevel = (http, _, ex) =>
            ex is not null || http.Response.StatusCode >= 500 ? Serilog.Events.LogEventLevel.Warning
            : http.Request.Path.StartsWithSegments("/health") || http.Request.Path.StartsWithSegments("/metrics")
                ? Serilog.Events.LogEventLevel.Verbose : Serilog.Events.LogEventLevel.Information);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseServiceOpenApi();
        return app;
    }

    /// <summary>Liveness, readiness and the OpenAPI document: unauthenticated and cheap.</summary>
    public static WebApplication MapOperationalEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).WithTags("Health");
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") })
            .WithTags("Health");
        return app;
    }
}
