using System.Collections.Concurrent;

namespace JobTemplateService.Platform.ControlHub;

/// <summary>
/// Record counts of running jobs. The bulk status the monitor reads anyway carries them
/// (inputRecordCount, outputRecordCount, errorRecordCount, lastReportedMetricTime: the JobStatus
/// JSON of the SDK); only a status without them costs a call of its own, recordCountsForAllRuns,
/// and that at most once per job per Metrics:SnapshotInterval (the answer is kept until then).
/// </summary>
internal sealed partial class ControlHubPlatform
{
    private readonly ConcurrentDictionary<string, (DateTime FetchedAt, LiveCounts? Counts)> fetchedCounts = new();

    private async Task<Dictionary<string, JobStatusReport>> WithCountsAsync(Dictionary<string, JobStatusReport> reports, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        foreach (var (id, report) in reports.Where(r => !r.Value.IsTerminal && r.Value.Counts is null).ToList())
        {
            if (!fetchedCounts.TryGetValue(id, out var kept) || now - kept.FetchedAt >= metrics.Value.SnapshotInterval)
            {
                kept = (now, await FetchCountsAsync(id, now, ct));
                fetchedCounts[id] = kept;
            }
            if (kept.Counts is not null) reports[id] = report with { Counts = kept.Counts };
        }
        // Forget jobs that finished or are no longer asked about.
        foreach (var (id, kept) in fetchedCounts)
        {
            if (now - kept.FetchedAt > metrics.Value.SnapshotInterval * 2 || reports.GetValueOrDefault(id)?.IsTerminal == true)
                fetchedCounts.TryRemove(id, out _);
        }
        return reports;
    }

    private async Task<LiveCounts?> FetchCountsAsync(string jobId, DateTime now, CancellationToken ct)
    {
        try
        {
            var counts = await LatestRecordCountsAsync(jobId, ct);
            if (counts is null) return null;
            return new LiveCounts(counts.InputCount ?? 0, counts.OutputCount ?? 0, (counts.ErrorCount ?? 0) + (counts.StageErrorsCount ?? 0),
                ControlHubJson.FromEpochMilliseconds(counts.LastUpdatedOn) ?? now);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return null; // the status still counts without them; asked again after the interval
        }
    }

    /// <summary>The counts a status carries, when it carries all three; their time is the platform's, or now before it reported any.</summary>
    private LiveCounts? Counts(ChJobStatus status) =>
        status is { InputRecordCount: { } input, OutputRecordCount: { } output, ErrorRecordCount: { } errors }
            ? new LiveCounts(input, output, errors, ControlHubJson.FromEpochMilliseconds(status.LastReportedMetricTime) ?? time.GetUtcNow().UtcDateTime)
            : null;
}
