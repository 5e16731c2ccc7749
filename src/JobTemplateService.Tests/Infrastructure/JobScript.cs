namespace JobTemplateService.Tests;

/// <summary>
/// How a simulated Control Hub job behaves: the status/colour it reports on each bulk status poll
/// (the last one repeats), its final error message and record counts. With <see cref="Progress"/>,
/// the counts it reports on each poll (the last one repeats, reported at the same time: a job whose
/// counts stopped moving), one minute apart by Control Hub's clock; the latest are also its final
/// counts. Without, every poll reports the final counts, a minute later each time.
/// </summary>
public sealed record JobScript(IReadOnlyList<string> Statuses, string? ErrorMessage, long Input, long Output, long Errors, long StageErrors)
{
    public IReadOnlyList<(long Input, long Output, long Errors)>? Progress { get; init; }

    /// <summary>Whether bulk status answers carry the counts (false: a Control Hub whose status lacks them).</summary>
    public bool CountsInStatus { get; init; } = true;

    /// <summary>A streaming job: ACTIVE until it is stopped, reporting these counts poll after poll.</summary>
    public static JobScript Streams(params (long Input, long Output, long Errors)[] progress) =>
        new(["ACTIVE/GREEN"], null, progress[^1].Input, progress[^1].Output, progress[^1].Errors, 0) { Progress = progress };

    /// <summary>Reports these counts poll after poll while ACTIVE, then finishes INACTIVE/GRAY with the last of them.</summary>
    public static JobScript Progresses(params (long Input, long Output, long Errors)[] progress) =>
        new([.. Enumerable.Repeat("ACTIVE/GREEN", progress.Length), "INACTIVE/GRAY"], null,
            progress[^1].Input, progress[^1].Output, progress[^1].Errors, 0) { Progress = progress };

    public const string ForceStopMessage = "JOBRUNNER_64 - Force stopping job";

    /// <summary>ACTIVE on the first poll, INACTIVE/GRAY (success) from the second.</summary>
    public static JobScript Succeeds(long records = 12_482, int activePolls = 1) =>
        new([.. Enumerable.Repeat("ACTIVE/GREEN", activePolls), "INACTIVE/GRAY"], null, records, records, 0, 0);

    /// <summary>Force-stopped by an operator: INACTIVE_ERROR, RED, JOBRUNNER_64.</summary>
    public static JobScript ForceStopped(long records = 1_499) =>
        new(["ACTIVE/GREEN", "INACTIVE_ERROR/RED"], ForceStopMessage, records, records, 0, 0);

    public static JobScript Fails(string status, string color, string error, long input = 10, long output = 7, long errors = 2, long stageErrors = 1) =>
        new(["ACTIVE/GREEN", $"{status}/{color}"], error, input, output, errors, stageErrors);

    public static JobScript RunsForever() => new(["ACTIVE/GREEN"], null, 5, 5, 0, 0);
}
