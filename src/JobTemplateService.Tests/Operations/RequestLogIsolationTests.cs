using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serilog.Core;

namespace JobTemplateService.Tests;

/// <summary>Each host writes its log events to its own Serilog pipeline, even with another host in the same process.</summary>
[Collection(LogCapturingCollection.Name)]
public sealed class RequestLogIsolationTests
{
    [Fact]
    public async Task LogEventsOfTwoHostsInOneProcessStayWithTheirOwnHost()
    {
        var firstLogs = new LogCapture();
        var secondLogs = new LogCapture();
        await using var first = await TestApp.StartAsync(services: s => s.AddSingleton<ILogEventSink>(firstLogs));
        await using var second = await TestApp.StartAsync(services: s => s.AddSingleton<ILogEventSink>(secondLogs));
        var marker = Guid.NewGuid().ToString();

        first.Service<ILoggerFactory>().CreateLogger("Probe").LogWarning("Probe {Marker}", marker);
        using var response = await first.Client.GetAsync($"/v1/runs/{marker}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.True(await firstLogs.WaitForAsync(e => e.RenderMessage().Contains($"/v1/runs/{marker}\" responded 404"), TimeSpan.FromSeconds(10)),
            "the first host's request log did not reach the first host's sinks");
        Assert.Contains(firstLogs.Texts(), t => t.Contains("Probe") && t.Contains(marker));
        Assert.DoesNotContain(secondLogs.Texts(), t => t.Contains(marker));
    }
}
