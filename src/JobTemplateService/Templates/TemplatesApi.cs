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
            .WithSummary("Every rule with its template: required dynamic parameters, static keys (secrets masked), limits.");
        templates.MapGet("/resolve", ResolveTemplate).WithName(nameof(ResolveTemplate))
            .WithSummary("The template a launch with this source-type and target-type would use.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesValidationProblem();
        return app;
    }

    public static async Task<Ok<TemplateList>> ListTemplates(TemplateRepository templates, CancellationToken ct) =>
        TypedResults.Ok(new TemplateList((await templates.ListAsync(ct)).Select(TemplateResource.From).ToList()));

    public static async Task<Results<Ok<TemplateResource>, ProblemHttpResult, ValidationProblem>> ResolveTemplate(
        [FromQuery(Name = "source-type")] string? sourceType, [FromQuery(Name = "target-type")] string? targetType,
        TemplateRepository templates, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(sourceType)) errors["source-type"] = ["'source-type' is required."];
        if (string.IsNullOrWhiteSpace(targetType)) errors["target-type"] = ["'target-type' is required."];
        if (errors.Count > 0) return Problems.Validation(errors);

        var template = await templates.ResolveAsync(sourceType!, targetType!, ct);
        return template is null
            ? Problems.Problem(StatusCodes.Status404NotFound, "no-template", "No job template matches.",
                $"No ingestion pattern maps source-type '{sourceType}' to target-type '{targetType}'.")
            : TypedResults.Ok(TemplateResource.From(template));
    }
}

public sealed record TemplateList(IReadOnlyList<TemplateResource> Templates);

/// <summary>A rule and its template, as a caller needs it to build a launch.</summary>
public sealed record TemplateResource(
    string PatternName, string SourceType, string TargetType, int JobTemplateId, string Platform, string PlatformTemplateId,
    string InstanceNameSuffix, string? InstanceNameParameter, IReadOnlyList<string> RequiredParameters,
    IReadOnlyList<string> OverridableParameters, IReadOnlyList<string> SecretParameters,
    IReadOnlyDictionary<string, string> StaticParameters, TimeSpan? MaxWait, int? MaxConcurrentInstances,
    bool DeleteAfterCompletion, string? Description, string Kind, SuccessCriteria SuccessCriteria, TimeSpan? StallAfter,
    string StallAction)
{
    internal static TemplateResource From(JobTemplate t) => new(
        t.PatternName, t.Source, t.Destination, t.JobTemplateId, t.Platform, t.SchJobTemplateId, t.InstanceNameSuffix,
        t.InstanceNameParameter, t.RequiredParameters, t.OverridableParameters, t.SecretParameters,
        t.StaticParameters().OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(p => p.Key,
            p => SecretMasker.IsSecret(p.Key, t.SecretParameters) ? SecretMasker.Mask : p.Value),
        t.MaxWait, t.MaxConcurrentInstances, t.DeleteAfterCompletion, t.Description, t.Kind, t.Criteria, t.StallAfter, t.StallAction);
}
