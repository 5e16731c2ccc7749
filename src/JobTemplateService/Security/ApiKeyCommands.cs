using System.Text.RegularExpressions;

namespace JobTemplateService.Security;

/// <summary>
/// Command-line verbs of the service, run instead of the web host:
///   JobTemplateService keys create NAME --scopes launch,read
///   JobTemplateService keys list
///   JobTemplateService keys revoke NAME
/// They read database.ini like the service does.
/// </summary>
internal static partial class ApiKeyCommands
{
    public const string Usage = """
        usage: JobTemplateService keys create NAME [--scopes launch,read,admin] [--templates "http-to-*,tag:finance"] [--own-runs-only]
               JobTemplateService keys list
               JobTemplateService keys revoke NAME
        """;

    public static bool IsCommand(string[] args) => args.Length > 0 && args[0] == "keys";

    public static async Task<int> RunAsync(ApiKeyRepository keys, string[] args, TextWriter output, CancellationToken ct)
    {
        var verb = args.ElementAtOrDefault(1);
        var name = args.ElementAtOrDefault(2);
        switch (verb)
        {
            case "create" when name is not null:
                var scopesArgument = args.SkipWhile(a => a != "--scopes").Skip(1).FirstOrDefault() ?? "launch,read";
                var scopes = scopesArgument.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                var templates = args.SkipWhile(a => a != "--templates").Skip(1).FirstOrDefault()?
                    .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
                var errors = Validate(name, scopes, templates);
                if (errors.Count > 0)
                {
                    await output.WriteLineAsync(string.Join(" ", errors.SelectMany(e => e.Value)));
                    return 2;
                }
                var (record, key) = await keys.CreateAsync(name, scopes, ct, templates, args.Contains("--own-runs-only"));
                await output.WriteLineAsync($"Created API key '{record.Name}' with scopes {string.Join(",", record.Scopes)}" +
                    (record.Templates.Length > 0 ? $", limited to templates {string.Join(",", record.Templates)}" : "") +
                    (record.OwnRunsOnly ? " (own runs only)." : "."));
                await output.WriteLineAsync("Store it now; it is not shown again:");
                await output.WriteLineAsync(key);
                return 0;
            case "list":
                foreach (var k in await keys.ListAsync(ct))
                {
                    await output.WriteLineAsync($"{k.Name,-24} jts_{k.Prefix}_…  {string.Join(",", k.Scopes),-18}" +
                        $"{(k.OwnRunsOnly ? " own runs only" : ""),-15} created {k.CreatedAt:u}" +
                        (k.RevokedAt is { } revokedAt ? $"  REVOKED {revokedAt:u}" : k.LastUsedAt is { } used ? $"  last used {used:u}" : ""));
                }
                return 0;
            case "revoke" when name is not null:
                var revoked = await keys.RevokeAsync(name, ct);
                await output.WriteLineAsync(revoked ? $"Revoked API key '{name}'." : $"No active API key named '{name}'.");
                return revoked ? 0 : 1;
            default:
                await output.WriteLineAsync(Usage);
                return 2;
        }
    }

    public static Dictionary<string, string[]> Validate(string? name, IReadOnlyCollection<string>? scopes,
        IReadOnlyCollection<string>? templates = null)
    {
        var errors = new Dictionary<string, string[]>();
        if (name is null || !NamePattern().IsMatch(name))
            errors["name"] = ["A key name is 1 to 64 letters, digits, '.', '_' or '-'."];
        if (scopes is null || scopes.Count == 0 || scopes.Any(s => !Scopes.All.Contains(s)))
            errors["scopes"] = [$"Scopes are one or more of {string.Join(", ", Scopes.All)}."];
        if (TemplateLimits.Problems(templates) is { Length: > 0 } templateProblems) errors["templates"] = templateProblems;
        return errors;
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex NamePattern();
}

internal static class CommandRunner
{
    /// <summary>Runs a command-line verb against the configured database, without starting the web host.</summary>
    public static async Task<int> RunCommandAsync(this WebApplication app, string[] args)
    {
        return await ApiKeyCommands.RunAsync(app.Services.GetRequiredService<ApiKeyRepository>(), args, Console.Out, CancellationToken.None);
    }
}
