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

/// <summary>Templates under one tag; a template with several tags shows under each, one without under "Other".</summary>
public sealed record LibraryGroup(string Key, string Title, IReadOnlyList<LibraryEntry> Entries)
{
    public static IReadOnlyList<LibraryGroup> Of(IReadOnlyList<LibraryEntry> entries)
    {
        var tagged = entries.SelectMany(e => e.Tags.Select(tag => (tag, e))).GroupBy(p => p.tag, StringComparer.OrdinalIgnoreCase)
            .OrderBy(g => g.Key, StringComparer.OrdinalIgnoreCase)
            .Select(g => new LibraryGroup(Slug(g.Key), g.Key, g.Select(p => p.e).OrderBy(e => e.Title, StringComparer.OrdinalIgnoreCase).ToList()))
            .ToList();
        var untagged = entries.Where(e => e.Tags.Count == 0).OrderBy(e => e.Title, StringComparer.OrdinalIgnoreCase).ToList();
        if (untagged.Count > 0) tagged.Add(new LibraryGroup("other", tagged.Count == 0 ? "All templates" : "Other", untagged));
        return tagged;
    }

    private static string Slug(string tag) => "tag-" + new string(tag.Select(c => char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-').ToArray());
}
