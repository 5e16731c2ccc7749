namespace JobTemplateService.Catalog;

/// <summary>The template catalog: discovery, contracts, drift, management through the API and as code.</summary>
internal static class TemplateRegistration
{
    public static IServiceCollection AddTemplateCatalog(this IServiceCollection services)
    {
        services.AddSingleton<PlatformParameterReader>();
        services.AddSingleton<TemplateDriftCheck>();
        services.AddSingleton<TemplateStore>();
        services.AddSingleton<TemplateDefinitionValidator>();
        return services;
    }
}
