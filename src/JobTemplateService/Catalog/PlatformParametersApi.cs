using JobTemplateService.Common;
using JobTemplateService.Platform.ControlHub;
using JobTemplateService.Platform;
using JobTemplateService.Security;
using JobTemplateService.Templates;
using Microsoft.AspNetCore.Http.HttpResults;

namespace JobTemplateService.Catalog;

/// <summary>A Control Hub template's own runtime parameters beside the drift against the template (discovery, read scope).</summary>
internal static class PlatformParametersApi
{
    public static IEndpointRouteBuilder MapPlatformParametersApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/templates/{patternName}/platform-parameters", GetPlatformParameters).WithTags("Templates")
            .RequireAuthorization(Scopes.Read).RequireRateLimiting(SecurityRegistration.RateLimitPolicy)
            .WithName(nameof(GetPlatformParameters))
            .WithSummary("The Control Hub job template's own runtime parameters and their drift against the template's contract and statics.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status502BadGateway).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    public static async Task<Results<Ok<PlatformParametersResource>, ProblemHttpResult>> GetPlatformParameters(
        string patternName, TemplateRepository templates, PlatformRegistry platforms, PlatformParameterReader reader,
        HttpContext http, CancellationToken ct)
    {
        var template = await templates.GetByPatternNameAsync(patternName, ct);
        if (template is null) return Problems.NotFound("template", patternName);
        if (!TemplateAccess.Allows(TemplateLimits.Of(http.User), template)) return TemplateAccess.Forbidden(patternName);
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

/// <summary>A Control Hub job template's own runtime parameters beside the drift against the template.</summary>
public sealed record PlatformParametersResource(string PatternName, string PlatformTemplateId,
    IReadOnlyDictionary<string, string> PlatformParameters, TemplateDrift Drift);
