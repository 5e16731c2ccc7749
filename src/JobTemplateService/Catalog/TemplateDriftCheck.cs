using JobTemplateService.Platform.ControlHub;
using JobTemplateService.Platform;
using JobTemplateService.Templates;

namespace JobTemplateService.Catalog;

/// <summary>Drift of a Control Hub template as plan warnings: a plan still answers when Control Hub cannot be read.</summary>
internal sealed class TemplateDriftCheck(PlatformParameterReader reader)
{
    public async Task<IReadOnlyList<string>> WarningsAsync(JobTemplate template, CancellationToken ct)
    {
        if (template.Platform != PlatformNames.ControlHub) return [];
        try
        {
            var parameters = await reader.ReadAsync(template.SchJobTemplateId, ct);
            return TemplateDrift.Between(template, parameters).Warnings(template.PatternName).ToList();
        }
        catch (Exception ex) when (ex is ControlHubException or PlatformUnavailableException or HttpRequestException or TimeoutException
                                       or Polly.CircuitBreaker.BrokenCircuitException)
        {
            return [$"The Control Hub job template's parameters could not be read to check for drift: {ex.Message}"];
        }
    }
}
