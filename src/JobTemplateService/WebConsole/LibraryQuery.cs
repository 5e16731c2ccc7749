using System.Collections.Concurrent;
using System.Security.Claims;
using Dapper;
using JobTemplateService.Instances;
using JobTemplateService.Security;
using JobTemplateService.Templates;
using Npgsql;

namespace JobTemplateService.WebConsole;

/// <summary>
/// The job library: the templates a caller may launch, each with its last run and 30-day success
/// rate. Two queries whatever the number of templates (the templates, then every template's
/// figures at once through run_template_created_idx). The figures are kept for
/// <see cref="FiguresFor"/>: counting 30 days of runs of hundreds of templates costs more than a
/// page should, on every view.
/// </summary>
internal sealed class LibraryQuery(TemplateRepository templates, NpgsqlDataSource dataSource, TimeProvider time)
{
    public static readonly TimeSpan FiguresFor = TimeSpan.FromSeconds(15);
    private const int MaxFigures = 50_000;
    private readonly ConcurrentDictionary<(string? Owner, int Template), (TemplateStats Stats, DateTimeOffset Until)> figures = new();

    public async Task<IReadOnlyList<LibraryEntry>> ListAsync(ClaimsPrincipal user, string? search, CancellationToken ct)
    {
        var visible = (await VisibleAsync(user, ct)).Where(t => Matches(t, search)).ToList();
        if (visible.Count == 0) return [];
        var stats = await RecentStatsAsync(visible.Select(t => t.JobTemplateId).Distinct().ToArray(), RunVisibility.OwnerFilter(user), ct);
        return visible.Select(t => LibraryEntry.From(t, stats.GetValueOrDefault(t.JobTemplateId) ?? TemplateStats.None)).ToList();
    }

    /// <summary>One template with its figures (of the caller's own runs, for a key that sees only those).</summary>
    public async Task<LibraryEntry> EntryAsync(ClaimsPrincipal user, JobTemplate template, CancellationToken ct) =>
        LibraryEntry.From(template, (await StatsAsync([template.JobTemplateId], RunVisibility.OwnerFilter(user), ct))
            .GetValueOrDefault(template.JobTemplateId) ?? TemplateStats.None);

    /// <summary>The templates this caller may launch, as discovery (GET /v1/templates) lists them: the key's template limits apply.</summary>
    public async Task<IReadOnlyList<JobTemplate>> VisibleAsync(ClaimsPrincipal user, CancellationToken ct)
    {
        var limits = TemplateLimits.Of(user);
        return (await templates.ListAsync(ct)).Where(t => TemplateAccess.Allows(limits, t)).ToList();
    }

    public async Task<JobTemplate?> FindAsync(ClaimsPrincipal user, string patternName, CancellationToken ct) =>
        (await VisibleAsync(user, ct)).FirstOrDefault(t => t.PatternName == patternName);

    /// <summary>Figures read in the last <see cref="FiguresFor"/> as they were; the others read now, in one query.</summary>
    private async Task<Dictionary<int, TemplateStats>> RecentStatsAsync(int[] ids, string? owner, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var found = new Dictionary<int, TemplateStats>();
        var missing = new List<int>();
        foreach (var id in ids)
        {
            if (figures.TryGetValue((owner, id), out var kept) && kept.Until > now) found[id] = kept.Stats;
            else missing.Add(id);
        }
        if (missing.Count == 0) return found;
        var fresh = await StatsAsync([.. missing], owner, ct);
        if (figures.Count > MaxFigures) figures.Clear();
        foreach (var id in missing)
        {
            found[id] = fresh.GetValueOrDefault(id) ?? TemplateStats.None;
            figures[(owner, id)] = (found[id], now + FiguresFor);
        }
        return found;
    }

    private async Task<Dictionary<int, TemplateStats>> StatsAsync(int[] ids, string? owner, CancellationToken ct)
    {
        const string sql = $"""
            SELECT t.id AS job_template_id, coalesce(s.finished, 0) AS finished, coalesce(s.succeeded, 0) AS succeeded,
                   coalesce(s.runs, 0) AS runs, last.run_id AS last_run_id, last.state AS last_state, last.created_at AS last_at
              FROM unnest(@ids::int[]) AS t(id)
              LEFT JOIN LATERAL (
                   SELECT count(*) AS runs, count(*) FILTER (WHERE r.state IN {RunStates.TerminalSql}) AS finished,
                          count(*) FILTER (WHERE r.state IN ('{RunStates.Succeeded}', '{RunStates.Stopped}')) AS succeeded
                     FROM streamsets.run r WHERE r.job_template_id = t.id AND r.created_at > now() - interval '30 days'
                      AND (@owner::varchar IS NULL OR r.requested_by = @owner)) s ON true
              LEFT JOIN LATERAL (
                   SELECT r.run_id, r.state, r.created_at FROM streamsets.run r
                    WHERE r.job_template_id = t.id AND (@owner::varchar IS NULL OR r.requested_by = @owner)
                    ORDER BY r.created_at DESC LIMIT 1) last ON true
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<TemplateStatsRow>(new CommandDefinition(sql, new { ids, owner }, cancellationToken: ct));
        return rows.ToDictionary(r => r.JobTemplateId, r => new TemplateStats((int)r.Runs, (int)r.Finished, (int)r.Succeeded,
            r.LastRunId, r.LastState, r.LastAt));
    }

    private static bool Matches(JobTemplate t, string? search)
    {
        if (string.IsNullOrWhiteSpace(search)) return true;
        var words = search.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var text = string.Join(' ', LibraryEntry.SearchText(t));
        return words.All(w => text.Contains(w, StringComparison.OrdinalIgnoreCase));
    }

    private sealed record TemplateStatsRow(int JobTemplateId, long Finished, long Succeeded, long Runs, Guid? LastRunId,
        string? LastState, DateTime? LastAt);
}
