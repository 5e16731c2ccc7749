using JobTemplateService.Security;
using Microsoft.AspNetCore.Mvc;

namespace JobTemplateService.WebConsole.Pages;

/// <summary>/ui/templates/{pattern}: a template's recent runs as charts (records, durations) and a table.</summary>
public sealed class TemplateModel : ConsolePage
{
    public const int RunCount = 50;

    public LibraryEntry Entry { get; private set; } = null!;

    public IReadOnlyList<RunPoint> Points { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(string pattern, CancellationToken ct)
    {
        var library = Service<LibraryQuery>();
        var template = await library.FindAsync(User, pattern, ct);
        if (template is null) return NotFound();
        Entry = await library.EntryAsync(User, template, ct);
        Points = await Service<ChartQuery>().RecentRunsAsync(template.JobTemplateId, RunVisibility.OwnerFilter(User), RunCount, ct);
        return Page();
    }
}
