using JobTemplateService.Callbacks;
using JobTemplateService.Security;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace JobTemplateService.Hosting;

/// <summary>Completion callbacks (outbox, target policy, delivery) and the keys the service keeps for itself.</summary>
internal static class CallbackRegistration
{
    public static IServiceCollection AddCallbacksAndSecrets(this IServiceCollection services)
    {
        services.AddSingleton<ServiceKeys>();
        services.AddSingleton<CallbackSecrets>();
        // One key ring for every replica, in the database: a secret one replica encrypts, any other decrypts.
        services.AddDataProtection().SetApplicationName("JobTemplateService");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(provider => new ConfigureOptions<KeyManagementOptions>(
            o => o.XmlRepository = new DatabaseXmlRepository(provider.GetRequiredService<NpgsqlDataSource>())));

        services.AddOptions<CallbackOptions>().BindConfiguration(CallbackOptions.Section);
        services.AddSingleton<CallbackRepository>();
        services.AddOptions<CallbackTargetOptions>().BindConfiguration(CallbackOptions.Section)
            .Validate(o => Parses(o.Networks), "appsettings.json Callbacks:AllowedNetworks: must be CIDR blocks such as 10.1.0.0/16, " +
                "separated by commas (or set the environment variable Callbacks__AllowedNetworks)")
            .ValidateOnStart();
        services.AddSingleton<CallbackTargetPolicy>();
        services.AddHttpClient(CallbackDispatcher.HttpClientName, http => http.DefaultRequestHeaders.UserAgent.ParseAdd("JobTemplateService/1.0"))
            .ConfigurePrimaryHttpMessageHandler(provider => new SocketsHttpHandler
            {
                // Every connection goes through the policy, to the address it checked; a proxy would connect elsewhere.
                AllowAutoRedirect = false, UseProxy = false, ConnectCallback = provider.GetRequiredService<CallbackTargetPolicy>().ConnectAsync,
            });
        services.AddSingleton<CallbackDispatcher>();
        services.AddHostedService(provider => provider.GetRequiredService<CallbackDispatcher>());
        return services;
    }

    private static bool Parses(Func<object> parse)
    {
        try
        {
            parse();
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
