using Microsoft.Extensions.Options;

namespace JobTemplateService.Platform.Kubernetes;

internal static class KubernetesRegistration
{
    /// <summary>The kubernetes platform, its options (validated at start-up) and its API client.</summary>
    public static IServiceCollection AddKubernetesPlatform(this IServiceCollection services)
    {
        services.AddOptions<KubernetesOptions>().BindConfiguration(KubernetesOptions.Section)
            .Configure<IConfiguration>(KubernetesJobSpecs.Read).ValidateOnStart();
        services.AddSingleton<IValidateOptions<KubernetesOptions>, KubernetesOptionsValidator>();
        services.AddOptions<KubernetesClientOptions>().BindConfiguration(KubernetesClientOptions.Section)
            .Validate(o => o.ReadTimeout > TimeSpan.Zero && o.WriteTimeout > TimeSpan.Zero && o.PendingTimeout >= TimeSpan.Zero,
                Setting("ReadTimeout/WriteTimeout/PendingTimeout", "must be positive"))
            .Validate(o => o.ReadRetries is >= 0 and <= 10, Setting("ReadRetries", "must be 0 to 10"))
            .Validate(o => o.BreakerFailureRatio is > 0 and <= 1, Setting("BreakerFailureRatio", "must be above 0 and at most 1"))
            .Validate(o => o.BreakerSamplingDuration >= TimeSpan.FromMilliseconds(500) && o.BreakerBreakDuration >= TimeSpan.FromMilliseconds(500),
                Setting("BreakerSamplingDuration/BreakerBreakDuration", "must be at least 0.5 s"))
            .Validate(o => o.PageSize is > 0 and <= 5000, Setting("PageSize", "must be 1 to 5000"))
            .ValidateOnStart();

        services.AddSingleton<KubernetesResilience>();
        services.AddSingleton<KubernetesJobClient>();
        services.AddSingleton<KubernetesJobCreator>();
        services.AddSingleton<KubernetesLogCopier>();
        services.AddSingleton<KubernetesPlatform>();
        services.AddSingleton<IJobPlatform>(provider => provider.GetRequiredService<KubernetesPlatform>());
        return services;
    }

    private static string Setting(string key, string problem) =>
        $"appsettings.json {KubernetesClientOptions.Section}:{key}: {problem} (or set the environment variable {KubernetesClientOptions.Section}__{key.Split('/')[0]})";
}
