using JobTemplateService.Instances;
using JobTemplateService.Runs;
using JobTemplateService.Security;
using Microsoft.AspNetCore.Mvc;

namespace JobTemplateService.WebConsole.Pages;

/// <summary>/ui/runs/{id}: a run's instances, metrics and callback; cancel, launch again, relaunch failed.</summary>
public sealed class RunModel : ConsolePage
{
    public RunResource Run { get; private set; } = null!;

    public bool MayLaunch { get; private set; }

    public string? Message { get; private set; }

    public bool IsLive => !RunStates.IsTerminal(Run.State);

    public bool HasFailed => Run.Instances.Any(i => RunRelauncher.RelaunchedStates.Contains(i.State));

    /// <summary>Generated per page: Relaunch sends it as its Idempotency-Key, so a double click relaunches once.</summary>
    public string RelaunchKey { get; } = "console-" + Guid.NewGuid().ToString("N");

    public async Task<IActionResult> OnGetAsync(Guid runId, CancellationToken ct) =>
        await LoadAsync(runId, ct) ? (IsFragmentRequest ? Partial("_RunBody", this) : Page()) : NotFound();

    public async Task<IActionResult> OnPostCancelAsync(Guid runId, CancellationToken ct)
    {
        if (!await MayAsync(Scopes.Launch)) return Forbid();
        if (!await LoadAsync(runId, ct)) return NotFound();
        var outcome = await Service<RunCanceller>().CancelAsync(runId, ct);
        Message = outcome == CancelOutcome.AlreadyFinished ? "The run had already finished; nothing was canceled." : "Cancel requested: unfinished instances are being stopped.";
        await LoadAsync(runId, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRelaunchAsync(Guid runId, [FromForm(Name = "idempotency-key")] string? key, CancellationToken ct)
    {
        if (!await MayAsync(Scopes.Launch)) return Forbid();
        if (!await LoadAsync(runId, ct)) return NotFound();
        var caller = CallerContext.For(HttpContext, string.IsNullOrEmpty(key) ? null : key);
        var outcome = await Service<RunRelauncher>().RelaunchAsync(Run, new Dictionary<int, IReadOnlyDictionary<string, string>>(), caller, ct);
        switch (outcome)
        {
            case RelaunchOutcome.NothingFailed:
                Message = "No instance ended badly: there is nothing to relaunch.";
                return Page();
            case RelaunchOutcome.SecretsMissing missing:
                Message = "Secret values sent by the caller are never stored (" + string.Join(", ", missing.Errors.Keys) +
                          "): use Launch again and type them in.";
                return Page();
            case RelaunchOutcome.Launched launched when ConsoleResults.Of(launched.Result) is { RunId: { } id }:
                return Redirect($"/ui/runs/{id}");
            case RelaunchOutcome.Launched launched:
                Message = ConsoleResults.Of(launched.Result).Problem?.Detail;
                return Page();
            default:
                throw new InvalidOperationException();
        }
    }

    private async Task<bool> LoadAsync(Guid runId, CancellationToken ct)
    {
        var run = await Service<RunRepository>().GetAsync(runId, ct);
        if (run is null || !RunVisibility.CanSee(User, run.RequestedBy)) return false;
        Run = run;
        MayLaunch = await MayAsync(Scopes.Launch);
        return true;
    }
}
