namespace JobTemplateService.Runs;

/// <summary>Run and instance states (DESIGN §4), stored as text with a CHECK constraint.</summary>
internal static class RunStates
{
    public const string Starting = "STARTING";
    public const string Running = "RUNNING";
    public const string Succeeded = "SUCCEEDED";
    public const string Failed = "FAILED";
    public const string Canceled = "CANCELED";
    public const string TimedOut = "TIMED_OUT";

    public static bool IsTerminal(string state) => state is Succeeded or Failed or Canceled or TimedOut;
}

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

    public static bool IsTerminal(string state) => state is Succeeded or Failed or Canceled or TimedOut or StartFailed;
}
