using JobTemplateService.Instances;
using JobTemplateService.Runs;
using JobTemplateService.Security;
using Microsoft.AspNetCore.Mvc;

namespace JobTemplateService.WebConsole.Pages;

/// <summary>/ui/runs: the API's filters and paging (GET /v1/runs), refreshed every few seconds while a run is live.</summary>
public sealed class RunsModel : ConsolePage
{
    public IReadOnlyDictionary<string, string?> Filters { get; private set; } = new Dictionary<string, string?>();

    public IReadOnlyList<RunResource> Runs { get; private set; } = [];

    public string? NextLink { get; private set; }

    public IReadOnlyDictionary<string, string[]> Errors { get; private set; } = new Dictionary<string, string[]>();

    public bool AnyLive => Runs.Any(r => !RunStates.IsTerminal(r.State));

    public string SelfLink => "/ui/runs" + Request.QueryString;

    public bool Paged => Request.Query.ContainsKey("cursor");

    public static readonly string[] FilterNames = ["user-run-id", "user-id", "state", "source-type", "target-type", "created-from", "created-to"];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        Filters = FilterNames.ToDictionary(n => n, n => (string?)Request.Query[n].FirstOrDefault());
        var errors = new Dictionary<string, string[]>();
        DateTimeOffset? Time(string name)
        {
            if (string.IsNullOrEmpty(Filters[name])) return null;
            if (DateTimeOffset.TryParse(Filters[name], System.Globalization.CultureInfo.InvariantCulture,
                    System.Globalization.DateTimeStyles.AssumeUniversal, out var t)) return t;
            errors[name] = ["Not a date and time (ISO 8601, e.g. 2026-01-31T08:00)."];
            return null;
        }
        var query = new RunListQuery(Filters["user-run-id"], Filters["user-id"], Blank(Filters["state"]), Filters["source-type"],
            Filters["target-type"], Time("created-from"), Time("created-to"), 25, Request.Query["cursor"].FirstOrDefault());
        var invalid = query.Validate(out var filter);
        foreach (var (key, value) in invalid) errors[key] = value;
        Errors = errors;
        if (errors.Count == 0)
        {
            var (runs, next) = await Service<RunRepository>().ListAsync(filter! with { RequestedBy = RunVisibility.OwnerFilter(User) }, ct);
            Runs = runs;
            NextLink = next is null ? null : "/ui/runs" + query.NextLink(next.Value)["/v1/runs".Length..];
        }
        return IsFragmentRequest ? Partial("_RunsTable", this) : Page();
    }

    private static string? Blank(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
