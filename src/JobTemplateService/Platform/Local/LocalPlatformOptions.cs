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

    /// <summary>The unprivileged user local jobs run as when the service runs as root (name or uid).</summary>
    public string? RunAsUser { get; set; }

    /// <summary>Lets a service running as root run local jobs as root (RunAsUser unset or root).</summary>
    public bool AllowRoot { get; set; }
}
