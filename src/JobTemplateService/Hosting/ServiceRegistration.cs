using Dapper;
using JobTemplateService.Callbacks;
using JobTemplateService.Catalog;
using JobTemplateService.Common;
using JobTemplateService.Configuration;
using JobTemplateService.WebConsole;
using JobTemplateService.Instances;
using JobTemplateService.Metrics;
using JobTemplateService.Monitoring;
using JobTemplateService.Platform;
using JobTemplateService.Platform.ControlHub;
using JobTemplateService.Platform.Kubernetes;
using JobTemplateService.Platform.Local;
using JobTemplateService.Runs;
using JobTemplateService.Security;
using JobTemplateService.Templates;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace JobTemplateService.Hosting;

/// <summary>Every registration of the service, in one place.</summary>
internal static class ServiceRegistration
{
    public static WebApplicationBuilder AddJobTemplateService(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        // Prometheus: process metrics and the service's own (ServiceTelemetry); not every internal .NET meter.
        Prometheus.Metrics.SuppressDefaultMetrics(new Prometheus.SuppressDefaultMetricOptions { SuppressMeters = true, SuppressEventCounters = true });

        services.AddServiceLogging();
        services.AddServiceOptions();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ReplicaIdentity>();
        services.AddSingleton<ActiveLeases>();
        services.TryAddSingleton(Prometheus.Metrics.DefaultRegistry); // tests give each host its own
        services.AddSingleton<ServiceTelemetry>();
        services.AddHostedService<DatabaseConnectionGauge>();
        services.AddSingleton(provider =>
        {
            var builder = new NpgsqlDataSourceBuilder(provider.GetRequiredService<IOptions<DatabaseOptions>>().Value.ToConnectionString())
            {
                Name = "jobtemplateservice", // the pool's name in metrics, instead of the connection string
            };
            return builder.UseLoggerFactory(provider.GetRequiredService<ILoggerFactory>()).Build();
        });

        services.AddSingleton<TemplateRepository>();
        services.AddTemplateCatalog();
        services.AddSingleton<RunRepository>();
        services.AddSingleton<LaunchRepository>();
        services.AddSingleton<InstanceRepository>();
        services.AddSingleton<MetricsRepository>();
        services.AddSingleton<LeaseRepository>();
        services.AddSingleton<CompletionRepository>();
        services.AddSingleton<CancelRepository>();
        services.AddSingleton<LiveMetricsRepository>();

        services.AddSingleton<InstanceStarter>();
        services.AddSingleton<RunLauncher>();
        services.AddSingleton<LaunchPlanner>();
        services.AddSingleton<RunCanceller>();
        services.AddSingleton<RunRelauncher>();
        services.AddSingleton<RunCompletionNotifier>();
        services.AddHostedService(provider => provider.GetRequiredService<RunCompletionNotifier>());
        services.AddSingleton<LogTail>();
        services.AddHostedService(provider => provider.GetRequiredService<LogTail>());
        services.AddServiceSecurity();
        services.AddConsole();
        services.AddControlHub();
        services.AddSingleton<LocalLogWriter>();
        services.AddHostedService(provider => provider.GetRequiredService<LocalLogWriter>());
        services.AddSingleton<LocalCompletion>();
        services.AddSingleton<LocalPlatform>();
        services.AddSingleton<IJobPlatform>(provider => provider.GetRequiredService<LocalPlatform>());
        services.AddKubernetesPlatform();
        services.AddSingleton<PlatformRegistry>();

        services.AddSingleton<CompletionRecorder>();
        services.AddSingleton<StatusPoller>();
        services.AddSingleton<LaunchReconciler>();
        services.AddSingleton<InstanceChecker>();
        services.AddSingleton<QueueDispatcher>();
        services.AddSingleton<InstanceMonitor>();
        services.AddHostedService(provider => provider.GetRequiredService<InstanceMonitor>());
        services.AddSingleton<StopMonitor>();
        services.AddHostedService(provider => provider.GetRequiredService<StopMonitor>());
        services.AddSingleton<ReplicaHeartbeat>();
        services.AddHostedService(provider => provider.GetRequiredService<ReplicaHeartbeat>());
        // Stopped before the heartbeat (reverse order), so local completions commit before leases are handed back.
        services.AddSingleton<LocalSupervisor>();
        services.AddHostedService(provider => provider.GetRequiredService<LocalSupervisor>());
        services.AddCallbacksAndSecrets();
        services.AddOptions<MaintenanceOptions>().BindConfiguration(MaintenanceOptions.Section);
        services.AddSingleton<MaintenanceSweeper>();
        services.AddHostedService(provider => provider.GetRequiredService<MaintenanceSweeper>());
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(20));

        services.AddProblemDetails(o => o.CustomizeProblemDetails = Problems.Customize);
        services.AddExceptionHandler<ServiceExceptionHandler>();
        services.ConfigureHttpJsonOptions(o => Json.Configure(o.SerializerOptions));
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: ["ready"])
            .AddCheck<PlatformHealthCheck>("platform", tags: ["ready"]);
        services.AddServiceOpenApi();
        return builder;
    }

    private static IServiceCollection AddControlHub(this IServiceCollection services)
    {
        services.AddSingleton<ControlHubResilience>();
        services.AddSingleton<ControlHubSite>();
        services.AddHostedService(provider => provider.GetRequiredService<ControlHubSite>());
        services.AddHttpClient<OrgInfoClient>(http => http.Timeout = Timeout.InfiniteTimeSpan) // its timeout is ReadTimeout, per call
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan) // held by the singleton ControlHubSite
            .RemoveAllLoggers();
        services.AddTransient<OrgMovedHandler>();
        services.AddHttpClient<ControlHubClient>((provider, http) =>
            {
                var options = provider.GetRequiredService<IOptions<ControlHubOptions>>().Value;
                http.Timeout = Timeout.InfiniteTimeSpan; // timeouts live in the resilience pipeline
                if (!options.IsConfigured) return;
                // The SDK's headers (sch_api.ApiClient.__init__, REQUIRED_HEADERS); content-type goes on every request's content.
                http.DefaultRequestHeaders.Add("X-SS-App-Component-Id", options.CredId);
                http.DefaultRequestHeaders.Add("X-SS-App-Auth-Token", options.CredToken);
                if (options.Organization is { } organization) http.DefaultRequestHeaders.Add("X-SS-Org-Id", organization);
                http.DefaultRequestHeaders.Add("X-Requested-By", options.RequestedBy);
                http.DefaultRequestHeaders.Add("X-SS-REST-CALL", "true");
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AllowAutoRedirect = false, // 308 "org moved" is handled by OrgMovedHandler
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .RemoveAllLoggers() // its default request logs would carry the credential headers
            .AddHttpMessageHandler<OrgMovedHandler>();
        services.AddSingleton<ControlHubPlatform>();
        services.AddSingleton<IJobPlatform>(provider => provider.GetRequiredService<ControlHubPlatform>());
        return services;
    }
}
