using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;

namespace JobTemplateService.Tests;

/// <summary>Security:Mode=None is for a local demo: anyone may launch, and the service says so loudly at startup.</summary>
[Collection(LogCapturingCollection.Name)]
public sealed class SecurityModeTests
{
    [Fact]
    public async Task NoneModeLetsAnonymousCallersLaunchAndLogsALoudWarning()
    {
        var logs = new LogCapture();
        await using var app = await TestApp.StartAsync(services: s => s.AddSingleton<ILogEventSink>(logs));
        await app.Database.ExampleTemplateAsync();

        using var response = await app.PostJsonAsync("/v1/runs", LaunchBodies.Body());

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using var run = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(JsonValueKind.Null, run.RootElement.GetProperty("requested-by").ValueKind);
        Assert.True(await logs.WaitForAsync(
            e => e.Level == LogEventLevel.Warning && e.RenderMessage().Contains("AUTHENTICATION IS DISABLED"), TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task ApiKeysModeLogsNoSuchWarning()
    {
        var logs = new LogCapture();
        await using var app = await TestApp.StartAsync(ApiKeyRequests.ApiKeys, services: s => s.AddSingleton<ILogEventSink>(logs));

        using var response = await app.Client.GetAsync("/v1/runs");

        // The request's own log line comes after everything the service logs at startup.
        Assert.True(await logs.WaitForAsync(e => e.RenderMessage().Contains("responded 401"), TimeSpan.FromSeconds(10)));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain(logs.Events, e => e.RenderMessage().Contains("AUTHENTICATION IS DISABLED"));
    }
}
