using System.Text.Json.Nodes;
using System.Text.Json;
using JobTemplateService.Common;
using JobTemplateService.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace JobTemplateService.Catalog;

/// <summary>Templates managed through the API (admin scope): no hand-written SQL, every change audited.</summary>
internal static class TemplateAdminApi
{
    public static IEndpointRouteBuilder MapTemplateAdminApi(this IEndpointRouteBuilder app)
    {
        var templates = app.MapGroup("/v1/admin/templates").WithTags("Admin").RequireAuthorization(Scopes.Admin)
            .RequireRateLimiting(SecurityRegistration.RateLimitPolicy);
        templates.MapGet("/", ListAdminTemplates).WithName(nameof(ListAdminTemplates))
            .WithSummary("Every template as PUT takes it (secret static values masked).");
        templates.MapGet("/{patternName}", GetAdminTemplate).WithName(nameof(GetAdminTemplate))
            .WithSummary("One template as PUT takes it (secret static values masked).").ProducesProblem(StatusCodes.Status404NotFound);
        templates.MapPut("/{patternName}", PutTemplate).WithName(nameof(PutTemplate))
            .WithSummary("Create or replace a rule, its template and their relationship in one transaction; idempotent.")
            .Accepts<TemplateDefinition>("application/json").Produces<TemplateDocument>(StatusCodes.Status201Created)
            .ProducesValidationProblem();
        templates.MapDelete("/{patternName}", DeleteTemplate).WithName(nameof(DeleteTemplate))
            .WithSummary("Delete a rule and its template; refused while instances of it are live.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        templates.MapGet("/{patternName}/history", GetTemplateHistory).WithName(nameof(GetTemplateHistory))
            .WithSummary("Every change of the template, newest first: who, when, before and after (secrets masked).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Ok<TemplateDocumentList>> ListAdminTemplates(TemplateStore store, CancellationToken ct) =>
        TypedResults.Ok(new TemplateDocumentList((await store.ListAsync(ct)).Select(Masked).ToList()));

    public static async Task<Results<Ok<TemplateDocument>, ProblemHttpResult>> GetAdminTemplate(string patternName, TemplateStore store,
        CancellationToken ct) =>
        await store.GetAsync(patternName, ct) is { } document ? TypedResults.Ok(Masked(document)) : Problems.NotFound("template", patternName);

    public static async Task<Results<Ok<TemplateDocument>, Created<TemplateDocument>, ValidationProblem>> PutTemplate(
        string patternName, HttpRequest http, TemplateStore store, TemplateDefinitionValidator validator, CancellationToken ct)
    {
        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(http.Body, cancellationToken: ct);
        }
        catch (JsonException ex)
        {
            return Problems.Validation(new Dictionary<string, string[]> { [""] = [$"The body is not valid JSON: {ex.Message}"] });
        }
        var definition = TemplateDefinition.Parse(body, out var problem);
        if (definition is null) return Problems.Validation(new Dictionary<string, string[]> { [""] = [problem!] });
        var normalized = definition.Normalized();
        var errors = validator.Validate(patternName, normalized);
        if (errors.Count > 0) return Problems.Validation(errors, "The template is not valid; nothing was changed.");

        switch (await store.PutAsync(patternName, normalized, CallerName(http.HttpContext), ct))
        {
            case TemplatePut.Invalid invalid:
                return Problems.Validation(invalid.Errors, "The template is not valid; nothing was changed.");
            case TemplatePut.Saved { Created: true } created:
                return TypedResults.Created($"/v1/admin/templates/{Uri.EscapeDataString(patternName)}", Masked(created.Document));
            case TemplatePut.Saved saved:
                return TypedResults.Ok(Masked(saved.Document));
            default:
                throw new InvalidOperationException();
        }
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteTemplate(string patternName, TemplateStore store,
        HttpContext http, CancellationToken ct)
    {
        var (outcome, live) = await store.DeleteAsync(patternName, CallerName(http), ct);
        return outcome switch
        {
            TemplateDeletion.Deleted => TypedResults.NoContent(),
            TemplateDeletion.NotFound => Problems.NotFound("template", patternName),
            _ => Problems.Problem(StatusCodes.Status409Conflict, "template-in-use", "The template has live instances.",
                $"{live} instance(s) of '{patternName}' are queued or running; cancel them or wait until they finish.",
                new() { ["live-instances"] = live }),
        };
    }

    public static async Task<Results<Ok<TemplateHistory>, ProblemHttpResult>> GetTemplateHistory(string patternName, TemplateStore store,
        CancellationToken ct) =>
        await store.HistoryAsync(patternName, ct) is { } changes
            ? TypedResults.Ok(new TemplateHistory(patternName, changes)) : Problems.NotFound("template", patternName);

    internal static string CallerName(HttpContext http) =>
        http.User.Identity is { IsAuthenticated: true, Name: { } name } ? name : "anonymous";

    private static TemplateDocument Masked(TemplateDocument document) => document with { Template = TemplateSecrets.Masked(document.Template) };
}

public sealed record TemplateDocumentList(IReadOnlyList<TemplateDocument> Templates);

public sealed record TemplateHistory(string PatternName, IReadOnlyList<TemplateChange> Changes);
