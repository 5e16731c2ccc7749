using JobTemplateService.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace JobTemplateService.WebConsole.Pages;

/// <summary>
/// What every console page shares. Page models are public (Razor's generated pages are), so the
/// service's internal types are reached through Service&lt;T&gt;() rather than constructor parameters.
/// </summary>
public abstract class ConsolePage : PageModel
{
    public string? KeyName => User.Identity?.Name;

    public bool SignInRequired => !Service<Microsoft.Extensions.Options.IOptions<SecurityOptions>>().Value.AuthenticationDisabled;

    internal T Service<T>() where T : notnull => HttpContext.RequestServices.GetRequiredService<T>();

    /// <summary>Whether the signed-in key holds a scope, decided by the API's own policy of that name.</summary>
    internal async Task<bool> MayAsync(string scope) =>
        (await Service<IAuthorizationService>().AuthorizeAsync(User, scope)).Succeeded;

    /// <summary>An htmx request wants a fragment, a plain one the whole page.</summary>
    public bool IsFragmentRequest => Request.Headers.ContainsKey("HX-Request") && !Request.Headers.ContainsKey("HX-Boosted");
}
