using System.Diagnostics.Metrics;
using Prometheus;

namespace JobTemplateService.Hosting;

/// <summary>
/// jts_database_connections{state="used"|"idle"} on /metrics: the pool's connections as Npgsql
/// counts them (its db.client.connection.count instrument), read when /metrics is scraped. "used"
/// is what a request, a background pass or an open stream holds right now.
/// </summary>
internal sealed class DatabaseConnectionGauge : IHostedService, IDisposable
{
    private readonly MeterListener listener = new();
    private readonly Gauge gauge;
    private readonly Dictionary<string, long> counts = new(StringComparer.Ordinal);
    private readonly Lock sync = new();

    public DatabaseConnectionGauge(CollectorRegistry registry)
    {
        gauge = Prometheus.Metrics.WithCustomRegistry(registry).CreateGauge("jts_database_connections",
            "The database pool's connections by state: used (held right now) or idle.", "state");
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Npgsql" && instrument.Name == "db.client.connection.count") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<int>((_, value, tags, _) => Add(tags, value));
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) => Add(tags, value));
        registry.AddBeforeCollectCallback(Collect);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        listener.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Collect()
    {
        lock (sync)
        {
            counts["used"] = counts["idle"] = 0;
            listener.RecordObservableInstruments(); // calls Add for each pool and state
            foreach (var (state, value) in counts) gauge.WithLabels(state).Set(value);
        }
    }

    private void Add(ReadOnlySpan<KeyValuePair<string, object?>> tags, long value)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == "db.client.connection.state" && tag.Value is string state) counts[state] = counts.GetValueOrDefault(state) + value;
        }
    }

    public void Dispose() => listener.Dispose();
}
