using JobTemplateService.Common;
using JobTemplateService.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace JobTemplateService.Templates;

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
        return app;
    }

    public static async Task<Ok<TemplateList>> ListTemplates(TemplateRepository templates, HttpContext http, CancellationToken ct)
    {
        var limits = TemplateLimits.Of(http.User);
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
        return TemplateAccess.Allows(TemplateLimits.Of(http.User), template)
            ? TypedResults.Ok(TemplateResource.From(template)) : TemplateAccess.Forbidden(template.PatternName);
    }
}
