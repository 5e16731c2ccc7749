namespace JobTemplateService.Tests;

/// <summary>
/// Tests that read the app's own log events run alone, after the parallel ones. The service's
/// Serilog setup (Hosting/Logging.cs, AddSerilog without preserveStaticLogger) routes every
/// ILogger and request-log event through the static Log.Logger, which the most recently started
/// host owns and a disposed host silences: with other hosts starting and stopping in parallel, a
/// test would see another host's events, or none of its own. LoggingTests shows the problem.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LogCapturingCollection
{
    public const string Name = "tests that capture log events";
}
