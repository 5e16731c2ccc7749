using Prometheus;

namespace JobTemplateService;

/// <summary>
/// The service's own Prometheus metrics, exported on /metrics. Labels stay low in cardinality:
/// platform, operation, outcome, state — never a run or user id.
/// </summary>
internal sealed class ServiceTelemetry
{
    private static readonly Counter Launches = Metrics.CreateCounter("jts_launches_total",
        "Launch requests by outcome (started, rejected, unknown, queued, replayed, no_template, …).", "outcome");
    private static readonly Counter InstancesFinished = Metrics.CreateCounter("jts_instances_finished_total",
        "Instances that reached a terminal state, by state.", "state");
    private static readonly Gauge LiveInstancesGauge = Metrics.CreateGauge("jts_live_instances",
        "Unfinished instances by state, across all replicas (refreshed by the maintenance pass).", "state");
    private static readonly Histogram PlatformCalls = Metrics.CreateHistogram("jts_platform_call_seconds",
        "Platform call latency.", new HistogramConfiguration
        {
            LabelNames = ["platform", "operation", "outcome"],
            Buckets = Histogram.ExponentialBuckets(0.001, 2, 16),
        });
    private static readonly Histogram MonitorLagSeconds = Metrics.CreateHistogram("jts_monitor_lag_seconds",
        "How late instances were checked after they became due.", new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.01, 2, 14) });
    private static readonly Histogram CompletionDelaySeconds = Metrics.CreateHistogram("jts_completion_to_metrics_seconds",
        "From the platform reporting completion to the metrics row existing.",
        new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.05, 2, 14) });
    private static readonly Counter CircuitOpenedCounter = Metrics.CreateCounter("jts_platform_circuit_opened_total",
        "Times a platform circuit breaker opened.");

    public void Launch(string outcome) => Launches.WithLabels(outcome).Inc();

    public void InstanceFinished(string state) => InstancesFinished.WithLabels(state).Inc();

    public void PlatformCall(string platform, string operation, string outcome, TimeSpan elapsed) =>
        PlatformCalls.WithLabels(platform, operation, outcome).Observe(elapsed.TotalSeconds);

    public void MonitorLag(TimeSpan lag) => MonitorLagSeconds.Observe(Math.Max(lag.TotalSeconds, 0));

    public void CompletionDelay(TimeSpan delay) => CompletionDelaySeconds.Observe(Math.Max(delay.TotalSeconds, 0));

    public void CircuitOpened() => CircuitOpenedCounter.Inc();

    public void LiveInstances(IReadOnlyDictionary<string, long> byState)
    {
        foreach (var state in new[] { "QUEUED", "PENDING", "STARTING", "RUNNING" })
            LiveInstancesGauge.WithLabels(state).Set(byState.GetValueOrDefault(state));
    }
}
