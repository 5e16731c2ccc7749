using JobTemplateService.Configuration;
using JobTemplateService.Instances;
using JobTemplateService.Platform.ControlHub;
using JobTemplateService.Platform.Local;
using JobTemplateService.Runs;
using JobTemplateService.Schema;
using Microsoft.Extensions.Options;

namespace JobTemplateService.Hosting;

/// <summary>Binds and validates every options class at startup: a wrong value stops the process with one line.</summary>
internal static class OptionsRegistration
{
    public static IServiceCollection AddServiceOptions(this IServiceCollection services)
    {
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DatabaseOptions>, DatabaseOptionsValidator>();
        services.AddOptions<SchemaOptions>().BindConfiguration(SchemaOptions.Section)
            .Validate(o => string.IsNullOrWhiteSpace(o.MigrationsDirectory) || Directory.Exists(o.MigrationsDirectory),
                Setting(SchemaOptions.Section, "MigrationsDirectory", "is not a folder"))
            .ValidateOnStart();
        services.AddOptions<ControlHubOptions>().BindConfiguration(ControlHubOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ControlHubOptions>, ControlHubOptionsValidator>();
        services.AddOptions<LocalPlatformOptions>().BindConfiguration(LocalPlatformOptions.Section)
            .Configure<IConfiguration>((options, configuration) =>
            {
                foreach (var command in configuration.GetSection(LocalPlatformOptions.CommandsSection).GetChildren())
                {
                    if (!string.IsNullOrWhiteSpace(command.Value)) options.Commands[command.Key] = command.Value;
                }
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<LocalPlatformOptions>, LocalPlatformValidator>();

        services.AddOptions<ControlHubClientOptions>().BindConfiguration(ControlHubClientOptions.Section)
            .Validate(o => o.ReadTimeout > TimeSpan.Zero && o.LaunchTimeout > TimeSpan.Zero,
                Setting(ControlHubClientOptions.Section, "ReadTimeout/LaunchTimeout", "must be positive"))
            .Validate(o => o.ReadRetries is >= 0 and <= 10, Setting(ControlHubClientOptions.Section, "ReadRetries", "must be 0 to 10"))
            .Validate(o => o.BreakerFailureRatio is > 0 and <= 1,
                Setting(ControlHubClientOptions.Section, "BreakerFailureRatio", "must be above 0 and at most 1"))
            .Validate(o => o.BreakerSamplingDuration >= TimeSpan.FromMilliseconds(500) && o.BreakerBreakDuration >= TimeSpan.FromMilliseconds(500),
                Setting(ControlHubClientOptions.Section, "BreakerSamplingDuration/BreakerBreakDuration", "must be at least 0.5 s"))
            .Validate(o => o.LoginRetryDelay >= TimeSpan.Zero, Setting(ControlHubClientOptions.Section, "LoginRetryDelay", "must not be negative"))
            .ValidateOnStart();

        services.AddOptions<MonitorOptions>().BindConfiguration(MonitorOptions.Section)
            .Validate(o => o.PollInterval > TimeSpan.Zero && o.HeartbeatInterval > TimeSpan.Zero && o.RetryDelay >= TimeSpan.Zero,
                Setting(MonitorOptions.Section, "PollInterval/HeartbeatInterval/RetryDelay", "must be positive"))
            .Validate(o => o.LeaseDuration > o.HeartbeatInterval * 2,
                Setting(MonitorOptions.Section, "LeaseDuration", "must be more than twice HeartbeatInterval"))
            .Validate(o => o.ReplicaTimeout > o.HeartbeatInterval,
                Setting(MonitorOptions.Section, "ReplicaTimeout", "must be longer than HeartbeatInterval"))
            .Validate(o => o.ClaimBatchSize > 0 && o.StatusBatchSize > 0 && o.MaxParallelism > 0,
                Setting(MonitorOptions.Section, "ClaimBatchSize/StatusBatchSize/MaxParallelism", "must be positive"))
            .Validate(o => o.StoppingCheckInterval > TimeSpan.Zero && o.StoppingCheckInterval < TimeSpan.FromSeconds(1),
                Setting(MonitorOptions.Section, "StoppingCheckInterval", "must be more than 0 and less than 1 second"))
            .ValidateOnStart();

        services.AddOptions<LiveMetricsOptions>().BindConfiguration(LiveMetricsOptions.Section)
            .Validate(o => o.SnapshotInterval >= TimeSpan.Zero, Setting(LiveMetricsOptions.Section, "SnapshotInterval", "must not be negative"))
            .Validate(o => o.SnapshotRetention > TimeSpan.Zero, Setting(LiveMetricsOptions.Section, "SnapshotRetention", "must be positive"))
            .Validate(o => o.SweepBatchSize > 0, Setting(LiveMetricsOptions.Section, "SweepBatchSize", "must be positive"))
            .ValidateOnStart();

        services.AddOptions<ServiceOptions>().BindConfiguration(ServiceOptions.Section)
            .Validate(o => o.MaxInstancesPerLaunch is > 0 and <= 10_000,
                Setting(ServiceOptions.Section, "MaxInstancesPerLaunch", "must be 1 to 10000"))
            .Validate(o => o.MaxRequestBodyBytes >= 1024, Setting(ServiceOptions.Section, "MaxRequestBodyBytes", "must be at least 1024"))
            .Validate(o => o.IdempotencyRetention > TimeSpan.Zero, Setting(ServiceOptions.Section, "IdempotencyRetention", "must be positive"))
            .ValidateOnStart();
        return services;
    }

    private static string Setting(string section, string key, string problem) =>
        $"appsettings.json {section}:{key}: {problem} (or set the environment variable {section}__{key.Split('/')[0]})";
}
