namespace JobTemplateService.Instances;

/// <summary>
/// Leases, checks and the monitor (appsettings.json, section Monitor): the launch and every writer of
/// instances follow its lease and check timings, so it lives with them. Every duration is a TimeSpan.
/// </summary>
internal sealed class MonitorOptions
{
    public const string Section = "Monitor";

    public bool Enabled { get; set; } = true;

    /// <summary>How often each running instance's status is read.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a claim on an instance lasts unless renewed; a dead replica's work moves after this.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A replica whose heartbeat is older than this is dead; its leases are released early.</summary>
    public TimeSpan ReplicaTimeout { get; set; } = TimeSpan.FromSeconds(15);

    public int ClaimBatchSize { get; set; } = 500;

    /// <summary>Job ids per bulk status call.</summary>
    public int StatusBatchSize { get; set; } = 100;

    public int MaxParallelism { get; set; } = 8;

    /// <summary>Options for the monitor's parallel loops: at most MaxParallelism at once.</summary>
    public ParallelOptions Parallelism(CancellationToken ct) =>
        new() { MaxDegreeOfParallelism = Math.Max(MaxParallelism, 1), CancellationToken = ct };

    /// <summary>How long after an unclear launch the platform is searched for the run's jobs.</summary>
    public TimeSpan ReconcileGrace { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>After a stop (cancel), how long before a force-stop; after a force-stop, how long before giving up waiting.</summary>
    public TimeSpan StopGrace { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Delay before an instance whose check failed is tried again.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often instances being stopped (cancel, max wait, stall) are looked for: a stop goes out this soon after a cancel.</summary>
    public TimeSpan StoppingCheckInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// When an instance that was sent a stop or force-stop is checked next: within a second of the
    /// stop (the stopping check's own interval included), then every quarter of the time since the
    /// stop, at most every poll interval, so that its end shows about a second after the platform's.
    /// </summary>
    public TimeSpan StopCheckDelay(TimeSpan sinceStop)
    {
        var first = TimeSpan.FromSeconds(1) - StoppingCheckInterval;
        var delay = sinceStop / 4 > first ? sinceStop / 4 : first;
        return delay < PollInterval ? delay : PollInterval;
    }
}
