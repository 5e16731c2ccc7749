using JobTemplateService.Common;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace JobTemplateService.Hosting;

/// <summary>OpenAPI document at /swagger/v1/swagger.json, UI at /swagger.</summary>
internal static class OpenApi
{
    public static IServiceCollection AddServiceOpenApi(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSingleton<ISerializerDataContractResolver>(new JsonSerializerDataContractResolver(Json.Options));
        services.AddSwaggerGen(o =>
        {
            o.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "JobTemplateService", Version = "v1",
                Description = "Launch templated jobs on StreamSets Control Hub or as local processes, follow them, and read their metrics. " +
                              "Every error is application/problem+json (RFC 9457) with a stable type URI.",
            });
            o.AddSecurityDefinition("ApiKey", new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = "X-API-Key",
                Description = "An API key: jts_<prefix>_<secret>. Scopes: launch, read, admin.",
            });
            o.AddSecurityDefinition("Bearer", new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http, Scheme = "bearer", Description = "The same API key as a bearer token.",
            });
            o.OperationFilter<OperationDocumentation>();
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

/// <summary>Adds to every operation its security, its problem responses and examples.</summary>
internal sealed class OperationDocumentation : IOperationFilter
{
    private static readonly Dictionary<string, int[]> ProblemStatuses = new()
    {
        ["LaunchRun"] = [400, 409, 413, 422, 502, 503], ["LaunchRunCompatible"] = [400, 409, 413, 422, 502, 503],
        ["PlanRun"] = [400, 413, 503], ["GetRun"] = [404, 503], ["ListRuns"] = [400, 503], ["GetRunOutcome"] = [400, 404, 422, 503],
        ["CancelRun"] = [404, 409, 503], ["ListMetrics"] = [400, 503], ["ListTemplates"] = [503], ["ResolveTemplate"] = [400, 404, 503],
        ["GetInstanceLog"] = [400, 404, 503], ["CreateApiKey"] = [400, 409, 503], ["ListApiKeys"] = [503], ["RevokeApiKey"] = [404, 503],
    };

    private static readonly Dictionary<int, string> Descriptions = new()
    {
        [400] = "The request is malformed; `errors` names each bad field.",
        [401] = "No API key, or an invalid or revoked one.",
        [403] = "The API key lacks the scope this endpoint needs.",
        [404] = "Unknown resource.",
        [409] = "Conflict: the same launch is still in flight, the run has already finished, or the name is taken.",
        [413] = "The body is larger than Service:MaxRequestBodyBytes.",
        [422] = "No template for the pair, parameters that do not fit the template, an idempotency key reused with another body, or (outcome) a run that ended badly.",
        [429] = "Rate limit: retry after Retry-After seconds.",
        [502] = "The platform rejected the launch; platform-code and platform-message say why.",
        [503] = "The platform or the database is unavailable; retry after Retry-After seconds.",
    };

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var id = operation.OperationId ?? "";
        operation.Responses ??= new OpenApiResponses();
        var statuses = ProblemStatuses.GetValueOrDefault(id, []).ToList();
        if (context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<IAuthorizeData>().Any())
        {
            operation.Security =
            [
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("ApiKey", context.Document)] = [] },
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("Bearer", context.Document)] = [] },
            ];
            statuses.AddRange([401, 403, 429]);
        }

        var problemSchema = context.SchemaGenerator.GenerateSchema(typeof(ProblemDetails), context.SchemaRepository);
        foreach (var status in statuses.Distinct().Order())
        {
            var key = status.ToString();
            if (operation.Responses.TryGetValue(key, out var existing) && existing.Content?.ContainsKey("application/problem+json") == true) continue;
            operation.Responses[key] = new OpenApiResponse
            {
                Description = Descriptions[status],
                Content = new Dictionary<string, IOpenApiMediaType>
                {
                    ["application/problem+json"] = new OpenApiMediaType { Schema = problemSchema, Example = OpenApiExamples.Problem(status) },
                },
            };
        }
        OpenApiExamples.Apply(id, operation);
    }
}
