using System.Collections.Concurrent;
using Serilog.Core;
using Serilog.Events;

namespace JobTemplateService.Tests;

/// <summary>Every Serilog event the app writes (register with services.AddSingleton&lt;ILogEventSink&gt;).</summary>
public sealed class LogCapture : ILogEventSink
{
    private readonly ConcurrentQueue<LogEvent> events = new();

    public IReadOnlyList<LogEvent> Events => events.ToList();

    public void Emit(LogEvent logEvent) => events.Enqueue(logEvent);

    /// <summary>
    /// Waits (briefly polling) for an event: some, like the request log, are written after the
    /// response has already reached the test's client.
    /// </summary>
    public async Task<bool> WaitForAsync(Func<LogEvent, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!events.Any(match) && DateTime.UtcNow < deadline) await Task.Delay(20);
        return events.Any(match);
    }

    /// <summary>Each event as text: its template, rendered message, every property and the exception.</summary>
    public IReadOnlyList<string> Texts() => events.Select(e => string.Join("\n",
        new[] { e.MessageTemplate.Text, e.RenderMessage(), e.Exception?.ToString() ?? "" }
            .Concat(e.Properties.Select(p => $"{p.Key}={p.Value}")))).ToList();
}
