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

    /// <summary>
    /// A poll of the run body: the state in the heading and the finish time go with it out of band, and
    /// once the run has ended so do the actions (Cancel goes, Relaunch failed may come).
    /// </summary>
    public bool OutOfBand { get; private set; }

    public bool HasFailed => Run.Instances.Any(i => RunRelauncher.RelaunchedStates.Contains(i.State));

    /// <summary>Generated per page: Relaunch sends it as its Idempotency-Key, so a double click relaunches once.</summary>
    public string RelaunchKey { get; } = "console-" + Guid.NewGuid().ToString("N");

    /// <summary>
    /// What a finished action says on the page it redirects to. Only these fixed texts are shown, picked by
    /// name from the query string, so a link cannot put words of its own on the page.
    /// </summary>
    private static readonly Dictionary<string, string> Notices = new(StringComparer.Ordinal)
    {
        ["cancel-requested"] = "Cancel requested: unfinished instances are being stopped.",
        ["already-finished"] = "The run had already finished; nothing was canceled.",
    };

    public async Task<IActionResult> OnGetAsync(Guid runId, [FromQuery] string? notice, CancellationToken ct)
    {
        if (!await LoadAsync(runId, ct)) return NotFound();
        if (IsFragmentRequest)
        {
            OutOfBand = true;
            return Partial("_RunBody", this);
        }
        Message = notice is not null && Notices.TryGetValue(notice, out var text) ? text : null;
        return Page();
    }

    /// <summary>
    /// Cancels, then redirects to the run page (post, redirect, get): reloading that page shows the run again
    /// rather than sending the cancel a second time.
    /// </summary>
    public async Task<IActionResult> OnPostCancelAsync(Guid runId, CancellationToken ct)
    {
        if (!await MayAsync(Scopes.Launch)) return Forbid();
        if (!await LoadAsync(runId, ct)) return NotFound();
        var outcome = await Service<RunCanceller>().CancelAsync(runId, ct);
        var notice = outcome == CancelOutcome.AlreadyFinished ? "already-finished" : "cancel-requested";
        return Redirect($"/ui/runs/{runId}?notice={notice}");
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
