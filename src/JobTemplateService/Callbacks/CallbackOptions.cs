namespace JobTemplateService.Callbacks;

/// <summary>Completion callbacks (appsettings.json, section Callbacks).</summary>
internal sealed class CallbackOptions
{
    public const string Section = "Callbacks";

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);
    public int MaxAttempts { get; set; } = 15;
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromHours(1);
}
