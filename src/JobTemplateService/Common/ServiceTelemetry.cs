using Prometheus;

namespace JobTemplateService.Common;

/// <summary>
/// The service's own Prometheus metrics, exported on /metrics. Labels stay low in cardinality:
/// platform, operation, outcome, state, template (pattern name), criterion — never a run or user id.
/// </summary>
internal sealed class ServiceTelemetry(CollectorRegistry registry)
{
    private readonly Counter launches = Prometheus.Metrics.WithCustomRegistry(registry).CreateCounter("jts_launches_total",
        "Launch requests by outcome (started, rejected, unknown, queued, replayed, no_template, …).", "outcome");
    private readonly Counter instancesFinished = Prometheus.Metrics.WithCustomRegistry(registry).CreateCounter("jts_instances_finished_total",
        "Instances that reached a terminal state, by state.", "state");
    private readonly Gauge liveInstancesGauge = Prometheus.Metrics.WithCustomRegistry(registry).CreateGauge("jts_live_instances",
        "Unfinished instances by state, across all replicas (refreshed by the maintenance pass).", "state");
    private readonly Histogram platformCalls = Prometheus.Metrics.WithCustomRegistry(registry).CreateHistogram("jts_platform_call_seconds",
        "Platform call latency.", new HistogramConfiguration
        {
            LabelNames = ["platform", "operation", "outcome"],
            Buckets = Histogram.ExponentialBuckets(0.001, 2, 16),
        });
    private readonly Histogram monitorLagSeconds = Prometheus.Metrics.WithCustomRegistry(registry).CreateHistogram("jts_monitor_lag_seconds",
        "How late instances were checked after they became due.", new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.01, 2, 14) });
    private readonly Histogram completionDelaySeconds = Prometheus.Metrics.WithCustomRegistry(registry).CreateHistogram("jts_completion_to_metrics_seconds",
        "From the platform reporting completion to the metrics row existing.",
        new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.05, 2, 14) });
    private readonly Counter recordsProcessed = Prometheus.Metrics.WithCustomRegistry(registry).CreateCounter("jts_records_processed_total",
        "Records instances of a template reported processed (input, output, error), counted as they are reported and at the end.",
        "template", "records");
    private readonly Gauge stalledInstancesGauge = Prometheus.Metrics.WithCustomRegistry(registry).CreateGauge("jts_stalled_instances",
        "Running instances whose counts have not moved for their template's stall-after, across all replicas (refreshed by the maintenance pass).");
    private readonly Counter criteriaFailures = Prometheus.Metrics.WithCustomRegistry(registry).CreateCounter("jts_success_criteria_failures_total",
        "Instances the platform reported successful that broke a success criterion, by criterion.", "criterion");
    private readonly Counter circuitOpenedCounter = Prometheus.Metrics.WithCustomRegistry(registry).CreateCounter("jts_platform_circuit_opened_total",
        "Times a platform circuit breaker opened.");

    public void Launch(string outcome) => launches.WithLabels(outcome).Inc();

    public void InstanceFinished(string state) => instancesFinished.WithLabels(state).Inc();

    public void PlatformCall(string platform, string operation, string outcome, TimeSpan elapsed) =>
        platformCalls.WithLabels(platform, operation, outcome).Observe(elapsed.TotalSeconds);

    public void MonitorLag(TimeSpan lag) => monitorLagSeconds.Observe(Math.Max(lag.TotalSeconds, 0));

    public void CompletionDelay(TimeSpan delay) => completionDelaySeconds.Observe(Math.Max(delay.TotalSeconds, 0));

    public void CircuitOpened() => circuitOpenedCounter.Inc();

    /// <summary>Adds records an instance of the template reported since its last report.</summary>
    public void RecordsProcessed(string template, long input, long output, long errors)
    {
        if (input > 0) recordsProcessed.WithLabels(template, "input").Inc(input);
        if (output > 0) recordsProcessed.WithLabels(template, "output").Inc(output);
        if (errors > 0) recordsProcessed.WithLabels(template, "error").Inc(errors);
    }

    public void CriterionFailed(string criterion) => criteriaFailures.WithLabels(criterion).Inc();

    public void StalledInstances(long count) => stalledInstancesGauge.Set(count);

    /// <summary>Sets the gauge of every state given (every live state, with 0 for those that have no instance).</summary>
    public void LiveInstances(IReadOnlyDictionary<string, long> byState)
    {
        foreach (var (state, count) in byState) liveInstancesGauge.WithLabels(state).Set(count);
    }
}
