using Serilog;

namespace JobTemplateService.Runs;

/// <summary>Puts the run's ids on the request's own log line, like every other log line about a run.</summary>
internal static class RequestLog
{
    public static void Run(IDiagnosticContext diagnostics, Guid runId, string? userRunId)
    {
        diagnostics.Set("RunId", runId);
        if (userRunId is not null) diagnostics.Set("UserRunId", userRunId);
    }

    public static void Launch(HttpContext http, LaunchRequest request, LaunchResult result)
    {
        var diagnostics = http.RequestServices.GetRequiredService<IDiagnosticContext>();
        diagnostics.Set("UserRunId", request.UserRunId);
        if (result is LaunchResult.Launched launched) diagnostics.Set("RunId", launched.Run.RunId);
    }
}
