using JobTemplateService.Security;
namespace JobTemplateService.Runs;

internal static class CallerContext
{
    public const string Anonymous = "anonymous";

    /// <summary>
    /// Idempotency keys are scoped to the caller: two API keys never see each other's launches.
    /// Without authentication every caller shares one scope.
    /// </summary>
    public static LaunchCaller For(HttpContext http, string? idempotencyKey)
    {
        var name = http.User.Identity is { IsAuthenticated: true } identity ? identity.Name : null;
        return new LaunchCaller(name ?? Anonymous, name, idempotencyKey) { Templates = TemplateLimits.Of(http.User) };
    }
}
