using JobTemplateService.Runs;
using JobTemplateService.Security;
using Microsoft.AspNetCore.Authentication;

namespace JobTemplateService.WebConsole;

/// <summary>The web console at /ui: Razor Pages under WebConsole/Pages, its session scheme, anti-forgery and assets.</summary>
internal static class ConsoleRegistration
{
    /// <summary>Every console page: a console session whose key holds read (as every API read needs).</summary>
    public const string ReadPolicy = "console-read";

    public static IServiceCollection AddConsole(this IServiceCollection services)
    {
        services.AddOptions<ConsoleOptions>().BindConfiguration(ConsoleOptions.Section)
            .Validate(o => o.IdleTimeout > TimeSpan.Zero && o.MaxSessionAge > TimeSpan.Zero,
                "appsettings.json Console:IdleTimeout/MaxSessionAge: must be positive (or set the environment variable Console__IdleTimeout)")
            .ValidateOnStart();
        services.AddSingleton<ConsoleSessions>();
        services.AddSingleton<LibraryQuery>();
        services.AddSingleton<ChartQuery>();
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ConsoleAuthenticationHandler>(ConsoleAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder().AddPolicy(ReadPolicy, p => p
            .AddAuthenticationSchemes(ConsoleAuthenticationHandler.SchemeName).RequireClaim(Scopes.ClaimType, Scopes.Read, Scopes.Admin));
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "jts_console_af";
            o.Cookie.Path = "/ui";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.HeaderName = "RequestVerificationToken"; // htmx sends it on every request (hx-headers on <body>)
        });
        services.AddRazorPages(o =>
        {
            o.RootDirectory = "/WebConsole/Pages";
            o.Conventions.AuthorizeFolder("/", ReadPolicy);
            o.Conventions.AllowAnonymousToPage("/SignIn");
        });
        return services;
    }

    public static WebApplication MapConsole(this WebApplication app)
    {
        app.MapGet("/ui/assets/{name}", ConsoleAssets.Serve).ExcludeFromDescription();
        // The API's live log handler, reached with the console's session instead of an API key.
        app.MapGet("/ui/runs/{runId:guid}/instances/{instance}/log/stream", InstanceLogApi.GetInstanceLog)
            .RequireAuthorization(ReadPolicy).RequireRateLimiting(SecurityRegistration.RateLimitPolicy).ExcludeFromDescription();
        app.MapRazorPages().RequireRateLimiting(SecurityRegistration.RateLimitPolicy);
        return app;
    }
}
