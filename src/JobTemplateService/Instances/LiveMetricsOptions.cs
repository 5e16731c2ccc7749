namespace JobTemplateService.Instances;

/// <summary>Live metrics of running instances (appsettings.json, section Metrics).</summary>
internal sealed class LiveMetricsOptions
{
    public const string Section = "Metrics";

    /// <summary>At most one snapshot per instance per this much platform time.</summary>
    public TimeSpan SnapshotInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Snapshots older than this (by the platform's time of their counts) are swept by the maintenance pass.</summary>
    public TimeSpan SnapshotRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Snapshots removed per statement of the sweep; a pass removes at most ten such batches.</summary>
    public int SweepBatchSize { get; set; } = 10_000;
}
