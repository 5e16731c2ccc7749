using JobTemplateService.Common;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace JobTemplateService.Security;

/// <summary>API key management over HTTP (admin scope). The same verbs exist on the command line.</summary>
internal static class AdminApi
{
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        // Without authentication anyone could mint keys: no admin API in that mode.
        // Read from configuration, not the options: mapping must not run their validation (startup reports it).
        if (new SecurityOptions { Mode = app.ServiceProvider.GetRequiredService<IConfiguration>()["Security:Mode"] ?? "ApiKeys" }.AuthenticationDisabled)
            return app;
        var keys = app.MapGroup("/v1/admin/api-keys").WithTags("Admin").RequireAuthorization(Scopes.Admin)
            .RequireRateLimiting(SecurityRegistration.RateLimitPolicy);
        keys.MapPost("/", CreateApiKey).WithName(nameof(CreateApiKey))
            .WithSummary("Create an API key; the key itself is in this answer only.").ProducesValidationProblem().ProducesProblem(409);
        keys.MapGet("/", ListApiKeys).WithName(nameof(ListApiKeys)).WithSummary("API keys (never the keys themselves).");
        keys.MapDelete("/{name}", RevokeApiKey).WithName(nameof(RevokeApiKey)).WithSummary("Revoke an API key.").ProducesProblem(404);
        return app;
    }

    public static async Task<Results<Created<NewApiKey>, ValidationProblem, ProblemHttpResult>> CreateApiKey(
        CreateApiKeyRequest request, ApiKeyRepository keys, CancellationToken ct)
    {
        var errors = ApiKeyCommands.Validate(request.Name, request.Scopes, request.Templates);
        if (errors.Count > 0) return Problems.Validation(errors);
        try
        {
            var (record, key) = await keys.CreateAsync(request.Name!, request.Scopes!, ct, request.Templates, request.OwnRunsOnly);
            return TypedResults.Created($"/v1/admin/api-keys/{record.Name}",
                new NewApiKey(record.Name, record.Prefix, record.Scopes, record.OwnRunsOnly, record.CreatedAt, key) { Templates = record.Templates });
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return Problems.Problem(StatusCodes.Status409Conflict, "api-key-exists", "An API key with this name exists.",
                $"There is already an API key named '{request.Name}'; revoke it or choose another name.");
        }
    }

    public static async Task<Ok<IReadOnlyList<ApiKeyRecord>>> ListApiKeys(ApiKeyRepository keys, CancellationToken ct) =>
        TypedResults.Ok(await keys.ListAsync(ct));

    public static async Task<Results<NoContent, ProblemHttpResult>> RevokeApiKey(string name, ApiKeyRepository keys, CancellationToken ct) =>
        await keys.RevokeAsync(name, ct) ? TypedResults.NoContent() : Problems.NotFound("active API key", name);
}

/// <summary>
/// templates: pattern-name globs and tag:&lt;tag&gt; the key may launch; absent or empty: every template.
/// own-runs-only: the key sees, cancels and reads only the runs it launched.
/// </summary>
public sealed record CreateApiKeyRequest(string? Name, string[]? Scopes, string[]? Templates = null, bool OwnRunsOnly = false);

/// <summary>A new key. Store it now: only its hash is kept.</summary>
public sealed record NewApiKey(string Name, string Prefix, IReadOnlyList<string> Scopes, bool OwnRunsOnly, DateTime CreatedAt, string Key)
{
    public IReadOnlyList<string> Templates { get; init; } = [];
}
