using JobTemplateService.Configuration;
using JobTemplateService.Hosting;

namespace JobTemplateService.Benchmarks;

/// <summary>
/// The service exactly as Program.cs builds it — same configuration, registrations, pipeline and
/// endpoints — plus the floor route, so that both are measured in one host.
/// </summary>
internal static class BenchHost
{
    public const string Mode = "host";

    public static async Task<int> RunAsync(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        if (!builder.TryAddConfigurationFiles(args, out var fileProblem))
        {
            Console.Error.WriteLine($"configuration error: {fileProblem}");
            return 2;
        }
        builder.AddJobTemplateService();
        builder.Services.AddSingleton<FloorPlatform>();

        var app = builder.Build();
        if (ConfigurationFiles.Problems(app.Services) is { } problems)
        {
            Console.Error.WriteLine($"configuration error: {problems}");
            return 2;
        }
        app.UseJobTemplateServicePipeline();
        app.MapJobTemplateServiceEndpoints();
        app.MapFloor();
        await app.RunAsync();
        return 0;
    }
}
