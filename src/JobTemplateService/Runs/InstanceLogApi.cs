using System.Text;
using Dapper;
using JobTemplateService.Common;
using JobTemplateService.Instances;
using JobTemplateService.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace JobTemplateService.Runs;

/// <summary>
/// Output of local processes, line by line, for a UI or `curl` to tail: pass the last next-offset
/// back as offset. Accept: text/plain gives the raw lines, with X-Next-Offset and X-Log-Complete headers.
/// </summary>
internal static class InstanceLogApi
{
    public const int MaxLimit = 10_000;

    public static RouteGroupBuilder MapInstanceLog(this RouteGroupBuilder runs)
    {
        runs.MapGet("/{runId:guid}/instances/{instance}/log", GetInstanceLog).WithName(nameof(GetInstanceLog))
            .RequireAuthorization(Scopes.Read)
            .WithSummary("An instance's output, from line offset+1 on; {instance} is its index or instance-id. " +
                         "Accept: text/event-stream follows it live (Server-Sent Events, resumable with Last-Event-ID).")
            .Produces<string>(StatusCodes.Status200OK, "text/plain", "text/event-stream");
        return runs;
    }

    public static async Task<Results<Ok<InstanceLog>, ContentHttpResult, ServerSentEventsResult<string>, ProblemHttpResult, ValidationProblem>>
        GetInstanceLog(Guid runId, string instance, [FromQuery(Name = "offset")] long? offset, [FromQuery(Name = "limit")] int? limit,
        HttpContext http, NpgsqlDataSource dataSource, LogTail tail, CancellationToken ct)
    {
        if (offset is < 0 || limit is < 1 or > MaxLimit)
            return Problems.Validation(new Dictionary<string, string[]> { ["offset/limit"] = [$"offset ≥ 0 and limit 1 to {MaxLimit}."] });
        if (InstanceLogStream.Wanted(http.Request))
        {
            var (stream, problem) = await InstanceLogStream.OpenAsync(runId, instance, offset, http, dataSource, tail, ct);
            return stream is null ? problem! : stream;
        }

        const string sql = """
            SELECT i.instance_id, i.state FROM streamsets.run_instance_now i JOIN streamsets.run r ON r.run_id = i.run_id
             WHERE i.run_id = @runId AND (i.instance_id::text = @instance OR i.ordinal::text = @instance)
               AND (@owner::varchar IS NULL OR r.requested_by = @owner);
            SELECT l.line_no, l.stream, l.logged_at, l.line AS text
              FROM streamsets.instance_log l JOIN streamsets.run_instance i ON i.instance_id = l.instance_id
              JOIN streamsets.run r ON r.run_id = i.run_id
             WHERE i.run_id = @runId AND (i.instance_id::text = @instance OR i.ordinal::text = @instance) AND l.line_no > @offset
               AND (@owner::varchar IS NULL OR r.requested_by = @owner)
             ORDER BY l.line_no LIMIT @limit;
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var results = await connection.QueryMultipleAsync(new CommandDefinition(sql,
            new { runId, instance = instance.ToLowerInvariant(), offset = offset ?? 0, limit = limit ?? 1000,
                owner = RunVisibility.OwnerFilter(http.User) }, cancellationToken: ct));
        var found = await results.ReadSingleOrDefaultAsync<(Guid InstanceId, string State)?>();
        if (found is null) return Problems.NotFound("instance", $"{runId}/{instance}");
        var lines = (await results.ReadAsync<InstanceLogLine>()).AsList();
        var next = lines.Count > 0 ? lines[^1].LineNo : offset ?? 0;
        var complete = InstanceStates.IsTerminal(found.Value.State) && lines.Count < (limit ?? 1000);

        if (http.Request.Headers.Accept.Any(a => a?.Contains("text/plain", StringComparison.OrdinalIgnoreCase) == true))
        {
            http.Response.Headers["X-Next-Offset"] = next.ToString();
            http.Response.Headers["X-Log-Complete"] = complete ? "true" : "false";
            var text = new StringBuilder();
            foreach (var line in lines) text.Append(line.Text).Append('\n');
            return TypedResults.Text(text.ToString(), "text/plain; charset=utf-8");
        }
        return TypedResults.Ok(new InstanceLog(runId, found.Value.InstanceId, found.Value.State, lines, next, complete));
    }
}

/// <summary>A page of an instance's output. complete is true once the instance finished and every line was read.</summary>
public sealed record InstanceLog(Guid RunId, Guid InstanceId, string State, IReadOnlyList<InstanceLogLine> Lines, long NextOffset, bool Complete);

public sealed record InstanceLogLine
{
    public long LineNo { get; init; }
    public string Stream { get; init; } = "";
    public DateTime LoggedAt { get; init; }
    public string Text { get; init; } = "";
}
