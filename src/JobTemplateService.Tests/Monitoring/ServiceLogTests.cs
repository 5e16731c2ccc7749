using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;

namespace JobTemplateService.Tests;

public sealed class ServiceLogTests
{
    [Fact]
    public async Task EachServiceLogsToItsOwnSinksWhenSeveralRunInOneProcess()
    {
        var firstLog = new CapturedLog();
        var secondLog = new CapturedLog();
        await using var first = await TestApp.StartAsync(services: s => s.AddSingleton<ILogEventSink>(firstLog));
        await using var second = await TestApp.StartAsync(services: s => s.AddSingleton<ILogEventSink>(secondLog));
        await first.Database.TemplateAsync("http", "gcs", RunHelpers.TemplateId);

        await first.Client.LaunchAsync("http", "gcs", "London");

        Assert.Contains(firstLog.Messages(LogEventLevel.Information), m => m.StartsWith("Launching 1 instance"));
        Assert.DoesNotContain(secondLog.Messages(LogEventLevel.Verbose), m => m.StartsWith("Launching"));
    }
}
