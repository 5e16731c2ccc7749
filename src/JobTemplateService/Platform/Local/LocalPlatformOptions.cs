namespace JobTemplateService.Platform.Local;

/// <summary>
/// The local process platform. Commands come from platform.ini, section [local] (name = command
/// line); a template names one of them. Nothing else can choose what runs.
/// </summary>
internal sealed class LocalPlatformOptions
{
    public const string CommandsSection = "local";
    public const string Section = "LocalPlatform";

    public Dictionary<string, string> Commands { get; set; } = new(StringComparer.Ordinal);
    public string? WorkingDirectory { get; set; }
    public TimeSpan Timeout { get; set; } = TimeSpan.FromHours(1);
    public int MaxConcurrentProcesses { get; set; } = 4;
    public int MaxLogLinesPerInstance { get; set; } = 10_000;

    /// <summary>A streaming job asked to stop (SIGTERM) is killed when it is still running after this.</summary>
    public TimeSpan StopGrace { get; set; } = TimeSpan.FromSeconds(10);
}
