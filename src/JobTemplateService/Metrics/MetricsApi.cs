using System.Globalization;
using System.Text;
using JobTemplateService.Common;
using JobTemplateService.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace JobTemplateService.Metrics;

internal static class MetricsApi
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static IEndpointRouteBuilder MapMetricsApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/v1/metrics").WithTags("Metrics").RequireAuthorization(Scopes.Read)
            .RequireRateLimiting(SecurityRegistration.RateLimitPolicy)
            .MapGet("/", ListMetrics).WithName(nameof(ListMetrics))
            .WithSummary("Metrics rows (one per finished instance), newest first; Accept: text/csv for CSV.")
            .Produces(StatusCodes.Status200OK, typeof(MetricsPage), "application/json", "text/csv");
        return app;
    }

    public static async Task<Results<Ok<MetricsPage>, ContentHttpResult, ValidationProblem>> ListMetrics(
        [FromQuery(Name = "user-run-id")] string? userRunId, [FromQuery(Name = "user-id")] string? userId,
        [FromQuery(Name = "run-id")] Guid? runId, [FromQuery(Name = "limit")] int? limit, [FromQuery(Name = "cursor")] long? cursor,
        HttpRequest http, MetricsRepository metrics, CancellationToken ct)
    {
        if (limit is < 1 or > MaxLimit)
            return Problems.Validation(new Dictionary<string, string[]> { ["limit"] = [$"Must be between 1 and {MaxLimit}."] });

        var filter = new MetricsFilter(Blank(userRunId), Blank(userId), runId, cursor, limit ?? DefaultLimit,
            RunVisibility.OwnerFilter(http.HttpContext.User));
        var (rows, next) = await metrics.ListAsync(filter, ct);
        var nextLink = next is null ? null : NextLink(filter, limit, next.Value);
        if (http.Headers.Accept.Any(a => a?.Contains("text/csv", StringComparison.OrdinalIgnoreCase) == true))
        {
            if (nextLink is not null) http.HttpContext.Response.Headers.Link = $"<{nextLink}>; rel=\"next\"";
            return TypedResults.Text(ToCsv(rows), "text/csv; charset=utf-8");
        }
        return TypedResults.Ok(new MetricsPage(rows, next?.ToString(CultureInfo.InvariantCulture), nextLink));
    }

    /// <summary>Built from the filters this endpoint knows, never from the raw query: the Link header echoes nothing else.</summary>
    private static string NextLink(MetricsFilter filter, int? limit, long cursor)
    {
        var query = new List<string>();
        void Add(string name, string? value)
        {
            if (value is not null) query.Add($"{name}={Uri.EscapeDataString(value)}");
        }
        Add("user-run-id", filter.UserRunId);
        Add("user-id", filter.UserId);
        Add("run-id", filter.RunId?.ToString());
        Add("limit", limit?.ToString(CultureInfo.InvariantCulture));
        Add("cursor", cursor.ToString(CultureInfo.InvariantCulture));
        return "/v1/metrics?" + string.Join("&", query);
    }

    /// <summary>CSV with the table's own column names, for spreadsheets and SQL users.</summary>
    internal static string ToCsv(IEnumerable<MetricsRow> rows)
    {
        var csv = new StringBuilder(
            "metrics_id,run_id,instance_id,user_id,user_run_id,job_template_id,platform_job_id,engine_id,pipeline_id," +
            "successful_run,final_state,run_count,input_record_count,output_record_count,error_record_count,error_message," +
            "start_time,finish_time,recorded_at\n");
        foreach (var r in rows)
        {
            object?[] values =
            [
                r.MetricsId, r.RunId, r.InstanceId, r.UserId, r.UserRunId, r.JobTemplateId, r.PlatformJobId, r.EngineId,
                r.PipelineId, r.SuccessfulRun ? "true" : "false", r.FinalState, r.RunCount, r.InputRecordCount, r.OutputRecordCount,
                r.ErrorRecordCount, r.ErrorMessage, Time(r.StartTime), Time(r.FinishTime), Time(r.RecordedAt),
            ];
            csv.AppendJoin(',', values.Select(Field)).Append('\n');
        }
        return csv.ToString();
    }

    private static string? Time(DateTime? value) => value?.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string Field(object? value)
    {
        var text = Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
        // Quote per RFC 4180; a leading formula character is neutralised for spreadsheets.
        if (text.Length > 0 && "=+-@".Contains(text[0]) && value is string) text = "'" + text;
        return text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{text.Replace("\"", "\"\"")}\"" : text;
    }

    private static string? Blank(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
