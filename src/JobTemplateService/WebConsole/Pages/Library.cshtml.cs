using Microsoft.AspNetCore.Mvc;

namespace JobTemplateService.WebConsole.Pages;

/// <summary>/ui: the templates the signed-in key may launch, searchable and grouped by tag.</summary>
public sealed class LibraryModel : ConsolePage
{
    public string? Search { get; private set; }

    public IReadOnlyList<LibraryEntry> Entries { get; private set; } = [];

    public IReadOnlyList<LibraryGroup> Groups { get; private set; } = [];

    public async Task OnGetAsync([FromQuery(Name = "q")] string? search, CancellationToken ct)
    {
        Search = search?.Trim();
        Entries = await Service<LibraryQuery>().ListAsync(User, Search, ct);
        Groups = LibraryGroup.Of(Entries);
    }
}

/// <summary>
/// Templates under their first tag, those without one under "Other". Each template shows once (a
/// library of hundreds would otherwise render several times over); its other tags are links to a
/// search for them, which lists every template with that tag.
/// </summary>
public sealed record LibraryGroup(string Key, string Title, IReadOnlyList<LibraryEntry> Entries)
{
    public static IReadOnlyList<LibraryGroup> Of(IReadOnlyList<LibraryEntry> entries)
    {
        var tagged = entries.Where(e => e.Tags.Count > 0).GroupBy(e => e.Tags[0], StringComparer.OrdinalIgnoreCase)
            .OrderBy(g => g.Key, StringComparer.OrdinalIgnoreCase)
            .Select(g => new LibraryGroup(Slug(g.Key), g.Key, g.OrderBy(e => e.Title, StringComparer.OrdinalIgnoreCase).ToList()))
            .ToList();
        var untagged = entries.Where(e => e.Tags.Count == 0).OrderBy(e => e.Title, StringComparer.OrdinalIgnoreCase).ToList();
        if (untagged.Count > 0) tagged.Add(new LibraryGroup("other", tagged.Count == 0 ? "All templates" : "Other", untagged));
        return tagged;
    }

    private static string Slug(string tag) => "tag-" + new string(tag.Select(c => char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-').ToArray());
}
