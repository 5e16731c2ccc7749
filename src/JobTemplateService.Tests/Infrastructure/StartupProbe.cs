using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;

namespace JobTemplateService.Tests;

/// <summary>
/// Starts the service in process, composed exactly as Program.cs composes it, with the test
/// settings changed by the caller, and returns what the start threw (null when it started and
/// answered /health/live). Not through WebApplicationFactory: there Program.cs's own catch takes
/// the validation exception (the factory then reports an ObjectDisposedException) and sets the
/// test process's exit code to 2. What users see of Program.cs is tested out of process.
/// </summary>
public static class StartupProbe
{
    public const string UnusedControlHubUrl = "http://127.0.0.1:9";

    public static async Task<Exception?> StartAsync(Action<Dictionary<string, string?>> configure)
    {
        await using var database = await TestDatabase.CreateAsync();
        var settings = TestApp.DefaultSettings(database, UnusedControlHubUrl);
        configure(settings);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection([new("ConfigDirectory", settings["ConfigDirectory"])]);
        builder.TryAddConfigurationFiles([], out _);
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddJobTemplateService();
        await using var app = builder.Build();
        app.UseJobTemplateServicePipeline();
        app.MapJobTemplateServiceEndpoints();
        try
        {
            await app.StartAsync();
            using var live = await app.GetTestClient().GetAsync("/health/live");
            live.EnsureSuccessStatusCode();
            await app.StopAsync();
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }
}
