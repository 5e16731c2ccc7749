using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace JobTemplateService;

/// <summary>Discovery: which (source-type, target-type) pairs exist and what a launch of each needs.</summary>
internal static class TemplatesApi
{
    public static IEndpointRouteBuilder MapTemplatesApi(this IEndpointRouteBuilder app)
    {
        var templates = app.MapGroup("/v1/templates").WithTags("Templates").RequireAuthorization(Scopes.Read)
            .RequireRateLimiting(SecurityRegistration.RateLimitPolicy);
        templates.MapGet("/", ListTemplates).WithName(nameof(ListTemplates))
            .WithSummary("The templates this API key may launch: metadata, parameter contract, static keys (secrets masked), limits.");
        templates.MapGet("/resolve", ResolveTemplate).WithName(nameof(ResolveTemplate))
            .WithSummary("The template a launch with this source-type and target-type would use.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesValidationProblem();
        templates.MapGet("/{patternName}/platform-parameters", GetPlatformParameters).WithName(nameof(GetPlatformParameters))
            .WithSummary("The Control Hub job template's own runtime parameters and their drift against the template's contract and statics.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status502BadGateway).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    public static async Task<Ok<TemplateList>> ListTemplates(TemplateRepository templates, HttpContext http, CancellationToken ct)
    {
        var limits = TemplateAccess.Limits(http.User);
        var visible = (await templates.ListAsync(ct)).Where(t => TemplateAccess.Allows(limits, t));
        return TypedResults.Ok(new TemplateList(visible.Select(TemplateResource.From).ToList()));
    }

    public static async Task<Results<Ok<TemplateResource>, ProblemHttpResult, ValidationProblem>> ResolveTemplate(
        [FromQuery(Name = "source-type")] string? sourceType, [FromQuery(Name = "target-type")] string? targetType,
        TemplateRepository templates, HttpContext http, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(sourceType)) errors["source-type"] = ["'source-type' is required."];
        if (string.IsNullOrWhiteSpace(targetType)) errors["target-type"] = ["'target-type' is required."];
        if (errors.Count > 0) return Problems.Validation(errors);

        var template = await templates.ResolveAsync(sourceType!, targetType!, ct);
        if (template is null)
            return Problems.Problem(StatusCodes.Status404NotFound, "no-template", "No job template matches.",
                $"No ingestion pattern maps source-type '{sourceType}' to target-type '{targetType}'.");
        return TemplateAccess.Allows(TemplateAccess.Limits(http.User), template)
            ? TypedResults.Ok(TemplateResource.From(template)) : TemplateAccess.Forbidden(template.PatternName);
    }

    public static async Task<Results<Ok<PlatformParametersResource>, ProblemHttpResult>> GetPlatformParameters(
        string patternName, TemplateRepository templates, PlatformRegistry platforms, PlatformParameterReader reader,
        HttpContext http, CancellationToken ct)
    {
        var template = await templates.GetByPatternNameAsync(patternName, ct);
        if (template is null) return Problems.NotFound("template", patternName);
        if (!TemplateAccess.Allows(TemplateAccess.Limits(http.User), template)) return TemplateAccess.Forbidden(patternName);
        if (template.Platform != PlatformNames.ControlHub)
            return Problems.Problem(StatusCodes.Status422UnprocessableEntity, "not-controlhub", "The template does not run on Control Hub.",
                $"'{patternName}' runs on {template.Platform}; only Control Hub job templates define runtime parameters of their own.");
        if (platforms.Find(PlatformNames.ControlHub) is null) return Problems.PlatformNotConfigured(PlatformNames.ControlHub);
        try
        {
            var parameters = await reader.ReadAsync(template.SchJobTemplateId, ct);
            return TypedResults.Ok(new PlatformParametersResource(patternName, template.SchJobTemplateId, parameters,
                TemplateDrift.Between(template, parameters)));
        }
        catch (ControlHubException ex)
        {
            return Problems.PlatformRejected(PlatformNames.ControlHub, ex.Code, ex.PlatformMessage);
        }
    }
}
