using Serilog;
using Serilog.Formatting;
using Serilog.Formatting.Compact;

namespace JobTemplateService.Hosting;

internal static class Logging
{
    private const string TextTemplate = "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {Message:lj} {Properties:j}";

    /// <summary>How Logging:Format=text writes each event (JSON escapes by itself).</summary>
    internal static ITextFormatter TextFormatter { get; } = new EscapingTextFormatter(TextTemplate);

    /// <summary>
    /// Serilog, structured: every event carries its scope (RunId, UserRunId, InstanceId). Text by
    /// default, compact JSON with Logging:Format=json. No static bootstrap logger, so several hosts
    /// can live in one test process.
    /// </summary>
    public static IServiceCollection AddServiceLogging(this IServiceCollection services) =>
        // preserveStaticLogger: each host keeps its own pipeline (several hosts can share a process).
        services.AddSerilog(preserveStaticLogger: true, configureLogger: (provider, logger) =>
        {
            var configuration = provider.GetRequiredService<IConfiguration>();
            logger.ReadFrom.Configuration(configuration)
                .ReadFrom.Services(provider)
                .Enrich.FromLogContext();
            if (string.Equals(configuration["Logging:Format"], "json", StringComparison.OrdinalIgnoreCase))
                logger.WriteTo.Console(new RenderedCompactJsonFormatter());
            else if (!string.Equals(configuration["Logging:Format"], "none", StringComparison.OrdinalIgnoreCase))
                logger.WriteTo.Console(TextFormatter);
        });
}
