using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;
using Serilog.Parsing;

namespace JobTemplateService.Tests;

/// <summary>Control characters a caller sends (in a path, say) are escaped in text logs: one event is one line, never two.</summary>
public sealed class LogForgingTests
{
    private const string Forged = "[12:00:00 INF] Started local process admin-approved";

    [Fact]
    public async Task ALineBreakInTheRequestPathStaysInsideItsLogLine()
    {
        var sink = new CapturingSink();
        await using var app = await TestApp.StartAsync(services: s => s.AddSingleton<ILogEventSink>(sink));

        using var response = await app.Client.GetAsync("/v1/runs/x%0d%0a" + Uri.EscapeDataString(Forged));
        var request = await WaitForRequestLogAsync(sink);
        var text = Format(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("\\r\\n" + Forged, text);
    }

    [Theory]
    [InlineData("ann\nINFO forged")]
    [InlineData("ann\r[12:00:00 INF] forged")]
    [InlineData("ann\u001b[2Jcleared")]
    [InlineData("ann\u2028forged")]
    [InlineData("ann\u0085forged")]
    public void EveryControlCharacterInAPropertyIsEscaped(string userId)
    {
        var logEvent = new LogEvent(DateTimeOffset.UtcNow, LogEventLevel.Information, null,
            new MessageTemplateParser().Parse("Launching for {UserId}"), [new LogEventProperty("UserId", new ScalarValue(userId))]);

        var text = Format(logEvent);

        Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain(text.TrimEnd('\n'), c => char.IsControl(c) || c is '\u2028' or '\u2029');
        Assert.Contains("ann\\", text);
    }

    private static string Format(LogEvent logEvent)
    {
        using var output = new StringWriter();
        Logging.TextFormatter.Format(logEvent, output);
        return output.ToString().Replace(Environment.NewLine, "\n");
    }

    private static async Task<LogEvent> WaitForRequestLogAsync(CapturingSink sink)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (sink.Events.FirstOrDefault(e => e.Properties.ContainsKey("RequestPath")) is { } found) return found;
            await Task.Delay(50);
        }
        throw new InvalidOperationException("No request log event");
    }
}
