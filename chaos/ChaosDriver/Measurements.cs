namespace ChaosDriver;

/// <summary>Everything the scenario measured, for the report.</summary>
internal sealed class Measurements
{
    public Failover MidPoll { get; } = new();
    public Failover MidLaunch { get; } = new();
    public Recovery? PostgresRestart { get; set; }
    public Recovery? BackendKill { get; set; }
    public Recovery? PlatformFaults { get; set; }
    public long TerminatedConnections { get; set; }
    public Dictionary<string, (int Tries, int Failed)> Windows { get; } = [];
}

/// <summary>Seconds from the kill until each held instance was claimed by a peer, and until it left PENDING/STARTING.</summary>
internal sealed class Failover
{
    public int Held { get; set; }
    public string HeldStates { get; set; } = "";
    public List<double> Reclaimed { get; set; } = [];
    public List<double> Resolved { get; set; } = [];
    public (int Tries, int Failed) WindowErrors { get; set; }

    public bool Complete => Held > 0 && Reclaimed.Count == Held && Resolved.Count == Held;
    public double? Max => Reclaimed.Count == 0 ? null : Reclaimed.Max();
    public double? Median => Reclaimed.Count == 0 ? null : Reclaimed[Reclaimed.Count / 2];
    public double? ResolvedMax => Resolved.Count == 0 ? null : Resolved.Max();
}

/// <summary>Seconds from a fault's start: how long it lasted, until a launch succeeded again, until metrics were written again.</summary>
internal sealed record Recovery(double OutageSeconds, double? LaunchSeconds, double? MonitorSeconds);
