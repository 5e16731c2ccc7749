using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Dapper;
using JobTemplateService.Common;
using JobTemplateService.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace JobTemplateService.Runs;

/// <summary>
/// GET …/log with Accept: text/event-stream: the log as Server-Sent Events, one "line" event per line
/// (its id is the line number, so a reconnect resumes after Last-Event-ID) and an "end" event once
/// the instance has finished and every line was sent. The stream holds no database connection.
/// </summary>
internal static class InstanceLogStream
{
    public static bool Wanted(HttpRequest request) =>
        request.Headers.Accept.Any(a => a?.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase) == true);

    public static async Task<(ServerSentEventsResult<string>? Stream, ProblemHttpResult? Problem)> OpenAsync(
        Guid runId, string instance, long? offset, HttpContext http, NpgsqlDataSource dataSource, LogTail tail, CancellationToken ct)
    {
        const string sql = """
            SELECT i.instance_id FROM streamsets.run_instance_now i JOIN streamsets.run r ON r.run_id = i.run_id
             WHERE i.run_id = @runId AND (i.instance_id::text = @instance OR i.ordinal::text = @instance)
               AND (@owner::varchar IS NULL OR r.requested_by = @owner)
            """;
        Guid? instanceId;
        await using (var connection = await dataSource.OpenConnectionAsync(ct))
        {
            instanceId = await connection.QuerySingleOrDefaultAsync<Guid?>(new CommandDefinition(sql,
                new { runId, instance = instance.ToLowerInvariant(), owner = RunVisibility.OwnerFilter(http.User) }, cancellationToken: ct));
        }
        if (instanceId is null) return (null, Problems.NotFound("instance", $"{runId}/{instance}"));

        var after = long.TryParse(http.Request.Headers["Last-Event-ID"].FirstOrDefault(), out var resumed) && resumed >= 0
            ? resumed : offset ?? 0;
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no"; // a buffering proxy would hold the lines back
        return (TypedResults.ServerSentEvents(EventsAsync(tail.Watch(runId, instanceId.Value, after), ct)), null);
    }

    private static async IAsyncEnumerable<SseItem<string>> EventsAsync(LogWatcher watcher, [EnumeratorCancellation] CancellationToken ct)
    {
        using (watcher)
        {
            await foreach (var e in watcher.Events.ReadAllAsync(ct))
            {
                if (e.EndState is not null)
                {
                    yield return new SseItem<string>(JsonSerializer.Serialize(new LogEnd(e.EndState, e.LineNo), Json.Options), "end");
                    yield break;
                }
                yield return new SseItem<string>(JsonSerializer.Serialize(new InstanceLogLine
                {
                    LineNo = e.LineNo, Stream = e.Stream, LoggedAt = e.LoggedAt, Text = e.Text,
                }, Json.Options), "line") { EventId = e.LineNo.ToString() };
            }
        }
    }
}

/// <summary>The last event of a live log: the instance's final state and its last line number.</summary>
public sealed record LogEnd(string State, long LastLineNo);
