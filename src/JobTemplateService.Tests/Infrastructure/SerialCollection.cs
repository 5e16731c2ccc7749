namespace JobTemplateService.Tests;

/// <summary>
/// Tests that run alone, after the parallel ones: those that capture log events (Serilog's static
/// logger is shared by every host in the process, see LoggingTests) and those that start the
/// service as a child process (CPU-heavy; they would slow timing-sensitive tests around them).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "Serial";
}
