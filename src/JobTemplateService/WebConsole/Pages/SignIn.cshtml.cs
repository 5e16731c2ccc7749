using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace JobTemplateService.WebConsole.Pages;

/// <summary>Paste a key once; it becomes a session cookie. Signing out ends the session on the server.</summary>
[AllowAnonymous]
public sealed class SignInModel : ConsolePage
{
    public string? Error { get; private set; }

    public string Return { get; private set; } = "/ui";

    public double IdleMinutes => Service<IOptions<ConsoleOptions>>().Value.IdleTimeout.TotalMinutes;

    public IActionResult OnGet([FromQuery(Name = "return")] string? returnTo)
    {
        if (!SignInRequired) return Redirect("/ui");
        Return = SafeReturn(returnTo);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync([FromForm] string? key, [FromForm(Name = "return")] string? returnTo, CancellationToken ct)
    {
        Return = SafeReturn(returnTo);
        if (!SignInRequired) return Redirect(Return);
        var token = string.IsNullOrWhiteSpace(key) ? null : await Service<ConsoleSessions>().SignInAsync(key.Trim(), ct);
        if (token is null)
        {
            Error = string.IsNullOrWhiteSpace(key) ? "Paste an API key." : "This key is not valid: unknown, mistyped or revoked.";
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }
        ConsoleAuthenticationHandler.SetCookie(HttpContext, token);
        return Redirect(Return);
    }

    public async Task<IActionResult> OnPostSignOutAsync(CancellationToken ct)
    {
        if (Request.Cookies[ConsoleAuthenticationHandler.CookieName] is { Length: > 0 } token)
            await Service<ConsoleSessions>().SignOutAsync(token, ct);
        ConsoleAuthenticationHandler.DeleteCookie(HttpContext);
        return Redirect("/ui/sign-in");
    }

    /// <summary>Only a console page of this site: never an open redirect.</summary>
    private static string SafeReturn(string? returnTo) =>
        returnTo is { Length: > 0 } r && r.StartsWith("/ui", StringComparison.Ordinal) && !r.StartsWith("//", StringComparison.Ordinal)
            && !r.Contains('\\') ? r : "/ui";
}
