using System.Collections.Frozen;

namespace JobTemplateService.Instances;

/// <summary>
/// A run's state, stored as text with a CHECK constraint. It follows from its instances'
/// (streamsets.refresh_run_state): finished once they all are, SUCCEEDED when they all succeeded.
/// </summary>
internal static class RunStates
{
    public const string Starting = "STARTING";
    public const string Running = "RUNNING";
    public const string Succeeded = "SUCCEEDED";
    public const string Failed = "FAILED";
    public const string Canceled = "CANCELED";
    public const string TimedOut = "TIMED_OUT";

    /// <summary>Every instance succeeded or, being streaming, was stopped on request and ended cleanly (at least one).</summary>
    public const string Stopped = "STOPPED";

    public const string TerminalSql = $"('{Succeeded}', '{Failed}', '{Canceled}', '{TimedOut}', '{Stopped}')";

    public static readonly IReadOnlyList<string> All = [Starting, Running, Succeeded, Failed, Canceled, TimedOut, Stopped];
    public static readonly IReadOnlyList<string> Terminal = SqlList.Parse(TerminalSql);

    public static bool IsTerminal(string state) => Terminal.Contains(state);
}

/// <summary>
/// An instance's state, stored as text with a CHECK constraint. Each set is written once, as the
/// SQL list that statements embed (<c>state IN {LiveSql}</c>), and its C# form is read from that
/// same text, so the two cannot drift; the schema's partial indexes and refresh_run_state, which
/// cannot embed them, are compared with them by a test against a real database.
/// </summary>
internal static class InstanceStates
{
    public const string Queued = "QUEUED";
    public const string Pending = "PENDING";
    public const string Starting = "STARTING";
    public const string Running = "RUNNING";
    public const string Succeeded = "SUCCEEDED";
    public const string Failed = "FAILED";
    public const string Canceled = "CANCELED";
    public const string TimedOut = "TIMED_OUT";
    public const string StartFailed = "START_FAILED";

    /// <summary>A streaming instance stopped on request (cancel) that ended cleanly: its healthy end.</summary>
    public const string Stopped = "STOPPED";

    /// <summary>Not finished: waiting for capacity (QUEUED) or holding it.</summary>
    public const string LiveSql = $"('{Queued}', '{Pending}', '{Starting}', '{Running}')";

    /// <summary>Holding a slot of the template's concurrency limit; monitors claim these (and finished instances still to clean up).</summary>
    public const string ActiveSql = $"('{Pending}', '{Starting}', '{Running}')";

    /// <summary>Not yet known to have started, or to have failed to start.</summary>
    public const string UnsettledSql = $"('{Queued}', '{Pending}', '{Starting}')";

    public const string TerminalSql = $"('{Succeeded}', '{Failed}', '{Canceled}', '{TimedOut}', '{StartFailed}', '{Stopped}')";

    /// <summary>Ended well: the platform reported success (a streaming instance: stopped cleanly) and every success criterion held.</summary>
    public const string HealthySql = $"('{Succeeded}', '{Stopped}')";

    /// <summary>Never sent to a platform: a cancel ends them at once.</summary>
    public const string UnsentSql = $"('{Queued}', '{Pending}')";

    /// <summary>Sent (or maybe sent) to a platform: a cancel has the monitor stop them there.</summary>
    public const string SentSql = $"('{Starting}', '{Running}')";

    /// <summary>May still fail to start (START_FAILED), or end CANCELED without having run.</summary>
    public const string NotStartedSql = $"('{Pending}', '{Starting}')";

    public static readonly IReadOnlyList<string> All =
        [Queued, Pending, Starting, Running, Succeeded, Failed, Canceled, TimedOut, StartFailed, Stopped];
    public static readonly IReadOnlyList<string> Live = SqlList.Parse(LiveSql);
    public static readonly IReadOnlyList<string> Active = SqlList.Parse(ActiveSql);
    public static readonly IReadOnlyList<string> Terminal = SqlList.Parse(TerminalSql);
    public static readonly IReadOnlyList<string> Healthy = SqlList.Parse(HealthySql);

    /// <summary>
    /// Every state change any writer makes, from an instance a launch is starting (STARTING, in its
    /// run's start intent, written once in the state the platform's answer gives it) or, over the
    /// template's limit, QUEUED. A terminal state never changes.
    /// </summary>
    public static readonly FrozenDictionary<string, FrozenSet<string>> Moves = new Dictionary<string, string[]>
    {
        [Queued] = [Pending, Canceled], // capacity freed; canceled
        [Pending] = [Starting, StartFailed, Canceled], // sent; cannot be sent (caller secrets lost); canceled
        // Sent once more after an unclear start; started or adopted; nothing was sent; refused or
        // never found; canceled before it was found on the platform.
        [Starting] = [Starting, Running, Pending, StartFailed, Canceled],
        [Running] = [Succeeded, Failed, Canceled, TimedOut, Stopped],
    }.ToFrozenDictionary(m => m.Key, m => m.Value.ToFrozenSet());

    public static bool IsTerminal(string state) => Terminal.Contains(state);

    public static bool IsHealthy(string state) => Healthy.Contains(state);

    public static bool CanMove(string from, string to) => Moves.TryGetValue(from, out var next) && next.Contains(to);

    /// <summary>Guards a write whose states are arguments: a move the lifecycle does not have is a bug, never written.</summary>
    public static void EnsureMove(string from, string to)
    {
        if (!CanMove(from, to)) throw new InvalidOperationException($"An instance never moves from {from} to {to}.");
    }
}

internal static class SqlList
{
    /// <summary>The values of a list of SQL string literals: "('A', 'B')" gives A, B.</summary>
    public static string[] Parse(string sql) =>
        sql.Trim('(', ')').Split(',', StringSplitOptions.TrimEntries).Select(v => v.Trim('\'')).ToArray();
}
