using JobTemplateService.Platform.ControlHub;
using JobTemplateService.Platform;
using JobTemplateService.Templates;

namespace JobTemplateService.Catalog;

/// <summary>
/// Templates as code, run instead of the web host:
///   JobTemplateService templates apply templates.yaml [--dry-run] [--prune]
///   JobTemplateService templates export [FILE]
///   JobTemplateService templates check
/// </summary>
internal static class TemplateCommands
{
    public const string Usage = """
        usage: JobTemplateService templates apply FILE [--dry-run] [--prune]   make the database match FILE
               JobTemplateService templates export [FILE]                     write the current templates (stdout by default)
               JobTemplateService templates check                             Control Hub drift of every template; exit 1 on drift
        """;

    public static bool IsCommand(string[] args) => args.Length > 0 && args[0] == "templates";

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, CancellationToken ct)
    {
        var positional = args.Skip(2).Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
        switch (args.ElementAtOrDefault(1))
        {
            case "apply" when positional.Count == 1:
                return await TemplateApply.RunAsync(services, positional[0], args.Contains("--dry-run"), args.Contains("--prune"), output, ct);
            case "export" when positional.Count <= 1:
                var documents = (await services.GetRequiredService<TemplateStore>().ListAsync(ct))
                    .Select(d => d with { Template = TemplateSecrets.Masked(d.Template) });
                if (positional.Count == 0)
                {
                    TemplateYaml.Write(documents, output);
                    return 0;
                }
                await using (var file = new StreamWriter(positional[0]))
                {
                    TemplateYaml.Write(documents, file);
                }
                await output.WriteLineAsync($"Wrote the templates to {positional[0]}.");
                return 0;
            case "check" when positional.Count == 0:
                return await CheckAsync(services, output, ct);
            default:
                await output.WriteLineAsync(Usage);
                return 2;
        }
    }

    private static async Task<int> CheckAsync(IServiceProvider services, TextWriter output, CancellationToken ct)
    {
        var templates = (await services.GetRequiredService<TemplateRepository>().ListAsync(ct))
            .Where(t => t.Platform == PlatformNames.ControlHub).ToList();
        if (templates.Count == 0)
        {
            await output.WriteLineAsync("No Control Hub templates.");
            return 0;
        }
        if (services.GetRequiredService<PlatformRegistry>().Find(PlatformNames.ControlHub) is null)
        {
            await output.WriteLineAsync("Control Hub is not configured (platform.ini, section [streamsets]); drift cannot be checked.");
            return 2;
        }
        var reader = services.GetRequiredService<PlatformParameterReader>();
        var drifting = 0;
        foreach (var template in templates)
        {
            try
            {
                var drift = TemplateDrift.Between(template, await reader.ReadAsync(template.SchJobTemplateId, ct));
                if (drift.HasDrift) drifting++;
                await output.WriteLineAsync($"{(drift.HasDrift ? "DRIFT" : "ok   ")} {template.PatternName} ({template.SchJobTemplateId})");
                foreach (var warning in drift.Warnings(template.PatternName)) await output.WriteLineAsync($"      {warning}");
            }
            catch (Exception ex) when (ex is ControlHubException or PlatformUnavailableException or HttpRequestException)
            {
                drifting++;
                await output.WriteLineAsync($"ERROR {template.PatternName} ({template.SchJobTemplateId}): {ex.Message}");
            }
        }
        await output.WriteLineAsync(drifting == 0 ? $"No drift in {templates.Count} Control Hub template(s)."
            : $"{drifting} of {templates.Count} Control Hub template(s) drift or could not be read.");
        return drifting == 0 ? 0 : 1;
    }
}
