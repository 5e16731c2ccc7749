using System.Diagnostics.Metrics;

namespace JobTemplateService;

/// <summary>
/// The service's own metrics (System.Diagnostics.Metrics), exported on /metrics. Labels stay low
/// in cardinality: platform, operation, outcome, state; never a run or user id.
/// </summary>
internal sealed class ServiceTelemetry : IDisposable
{
    public const string MeterName = "JobTemplateService";

    private readonly Meter meter;
    private readonly Counter<long> launches;
    private readonly Counter<long> instancesFinished;
    private readonly Histogram<double> platformCalls;
    private readonly Histogram<double> monitorLag;
    private readonly Histogram<double> completionDelay;
    private readonly Counter<long> circuitOpened;
    private volatile IReadOnlyDictionary<string, long> live = new Dictionary<string, long>();

    public ServiceTelemetry(IMeterFactory meterFactory)
    {
        meter = meterFactory.Create(MeterName);
        launches = meter.CreateCounter<long>("jts_launches", description: "Launch requests by outcome");
        instancesFinished = meter.CreateCounter<long>("jts_instances_finished", description: "Instances that reached a terminal state");
        platformCalls = meter.CreateHistogram<double>("jts_platform_call_seconds", "s", "Platform call latency");
        monitorLag = meter.CreateHistogram<double>("jts_monitor_lag_seconds", "s", "How late instances were checked after they became due");
        completionDelay = meter.CreateHistogram<double>("jts_completion_to_metrics_seconds", "s",
            "From the platform reporting completion to the metrics row existing");
        circuitOpened = meter.CreateCounter<long>("jts_platform_circuit_opened", description: "Times a platform circuit opened");
        meter.CreateObservableGauge("jts_live_instances", () => new[] { "QUEUED", "PENDING", "STARTING", "RUNNING" }
            .Select(state => new Measurement<long>(live.GetValueOrDefault(state), new KeyValuePair<string, object?>("state", state))),
            description: "Unfinished instances by state, across all replicas");
    }

    public void LiveInstances(IReadOnlyDictionary<string, long> byState) => live = byState;

    public void Launch(string outcome) => launches.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void InstanceFinished(string state) => instancesFinished.Add(1, new KeyValuePair<string, object?>("state", state));

    public void PlatformCall(string platform, string operation, string outcome, TimeSpan elapsed) =>
        platformCalls.Record(elapsed.TotalSeconds, new("platform", platform), new("operation", operation), new("outcome", outcome));

    public void MonitorLag(TimeSpan lag) => monitorLag.Record(Math.Max(lag.TotalSeconds, 0));

    public void CompletionDelay(TimeSpan delay) => completionDelay.Record(Math.Max(delay.TotalSeconds, 0));

    public void CircuitOpened() => circuitOpened.Add(1);

    public void Dispose() => meter.Dispose();
}
