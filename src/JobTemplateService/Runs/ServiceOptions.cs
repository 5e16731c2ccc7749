namespace JobTemplateService.Runs;

internal sealed class ServiceOptions
{
    public const string Section = "Service";

    public int MaxInstancesPerLaunch { get; set; } = 100;
    public long MaxRequestBodyBytes { get; set; } = 64 * 1024;
    public TimeSpan IdempotencyRetention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>After this long, a launch whose request never finished (its process died) is
    /// answered with the run as it is now instead of 409.</summary>
    public TimeSpan InFlightTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The longest ?wait= an outcome request may ask for.</summary>
    public TimeSpan MaxOutcomeWait { get; set; } = TimeSpan.FromSeconds(120);
}
