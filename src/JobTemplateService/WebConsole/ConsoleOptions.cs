namespace JobTemplateService.WebConsole;

/// <summary>appsettings.json, section Console.</summary>
internal sealed class ConsoleOptions
{
    public const string Section = "Console";

    /// <summary>A session unused for this long is over: the next page asks for the key again.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>However busy, a session ends this long after sign-in.</summary>
    public TimeSpan MaxSessionAge { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Control Hub's web address, for links from an instance to its job there (default: the API's url).</summary>
    public string? ControlHubUrl { get; set; }
}
