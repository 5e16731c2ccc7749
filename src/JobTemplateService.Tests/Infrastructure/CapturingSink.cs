using System.Collections.Concurrent;
using Serilog.Core;
using Serilog.Events;

namespace JobTemplateService.Tests;

/// <summary>Serilog sink that keeps every event; registered in DI, the service's logger picks it up (ReadFrom.Services).</summary>
public sealed class CapturingSink : ILogEventSink
{
    private readonly ConcurrentQueue<LogEvent> events = new();

    public IReadOnlyList<LogEvent> Events => events.ToList();

    public void Emit(LogEvent logEvent) => events.Enqueue(logEvent);

    /// <summary>Everything an event would put in a log line: message, every property value, the exception.</summary>
    public static string FullText(LogEvent e) =>
        string.Join(" | ", [e.RenderMessage(), .. e.Properties.Select(p => $"{p.Key}={p.Value}"), e.Exception?.ToString() ?? ""]);

    public static string? Scalar(LogEvent e, string property) =>
        e.Properties.TryGetValue(property, out var value) && value is ScalarValue { Value: { } v } ? v.ToString() : null;
}
