using JobTemplateService.Platform.ControlHub;
using JobTemplateService.Runs;
using JobTemplateService.Security;
using JobTemplateService.Templates;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace JobTemplateService.WebConsole.Pages;

/// <summary>/ui/runs/{id}/instances/{i}/log: the instance's log, streamed live until it ends (console.js follows it).</summary>
public sealed class LogModel : ConsolePage
{
    public RunResource Run { get; private set; } = null!;

    public InstanceResource Instance { get; private set; } = null!;

    public string StreamUrl => $"/ui/runs/{Run.RunId}/instances/{Instance.Index}/log/stream";

    /// <summary>For a Control Hub instance, its job in Control Hub's own web pages.</summary>
    public string? ControlHubLink { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid runId, string instance, CancellationToken ct)
    {
        var run = await Service<RunRepository>().GetAsync(runId, ct);
        var found = run?.Instances.FirstOrDefault(i => i.Index.ToString() == instance || i.InstanceId.ToString() == instance);
        if (run is null || found is null || !RunVisibility.CanSee(User, run.RequestedBy)) return NotFound();
        (Run, Instance) = (run, found);
        var site = Service<IOptions<ConsoleOptions>>().Value.ControlHubUrl ?? Service<IOptions<ControlHubOptions>>().Value.Url;
        if (run.Template.Platform == PlatformNames.ControlHub && found.PlatformJobId is { } jobId && site is { Length: > 0 })
            ControlHubLink = $"{site.TrimEnd('/')}/jobs/{Uri.EscapeDataString(jobId)}";
        return Page();
    }
}
