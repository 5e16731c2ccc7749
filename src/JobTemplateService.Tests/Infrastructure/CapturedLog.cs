using System.Collections.Concurrent;
using Serilog.Core;
using Serilog.Events;

namespace JobTemplateService.Tests;

/// <summary>A Serilog sink the service picks up from DI (ReadFrom.Services), to assert on what was logged.</summary>
public sealed class CapturedLog : ILogEventSink
{
    private readonly ConcurrentQueue<LogEvent> events = new();

    public void Emit(LogEvent logEvent) => events.Enqueue(logEvent);

    public IReadOnlyList<string> Messages(LogEventLevel minimum) =>
        events.Where(e => e.Level >= minimum).Select(e => e.RenderMessage()).ToList();
}
