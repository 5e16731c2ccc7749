namespace JobTemplateService;

/// <summary>OpenAPI document at /swagger/v1/swagger.json, UI at /swagger.</summary>
internal static class OpenApi
{
    public static IServiceCollection AddServiceOpenApi(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(o =>
        {
            o.SwaggerDoc("v1", new() { Title = "JobTemplateService", Version = "v1",
                Description = "Launch templated jobs on StreamSets Control Hub or local processes, and read their metrics." });
        });
        return services;
    }

    public static WebApplication UseServiceOpenApi(this WebApplication app)
    {
        app.UseSwagger();
        app.UseSwaggerUI(o => o.SwaggerEndpoint("/swagger/v1/swagger.json", "JobTemplateService v1"));
        return app;
    }
}
