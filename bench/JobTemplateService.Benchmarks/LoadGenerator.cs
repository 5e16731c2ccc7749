using System.Diagnostics;

namespace JobTemplateService.Benchmarks;

/// <summary>
/// A closed-loop load generator: N workers, each sending its next request as soon as the last one
/// answered, for a fixed time. One HttpClient over SocketsHttpHandler, with a connection per worker.
/// </summary>
internal sealed class LoadGenerator(HttpClient http)
{
    public static HttpClient CreateClient() =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = 1024, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10) })
        {
            Timeout = TimeSpan.FromSeconds(60),
        };

    /// <summary>Sends requests from <paramref name="concurrency"/> workers for <paramref name="duration"/>; request n is made by <paramref name="request"/>(n).</summary>
    public async Task<LoadResult> RunAsync(Func<long, HttpRequestMessage> request, int concurrency, TimeSpan duration)
    {
        long sequence = 0;
        var started = Stopwatch.GetTimestamp();
        var stopAt = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            var latencies = new List<double>();
            var errors = new List<string>();
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                using var message = request(Interlocked.Increment(ref sequence));
                var sent = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await http.SendAsync(message);
                    await response.Content.LoadIntoBufferAsync();
                    if (response.IsSuccessStatusCode) latencies.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                    else errors.Add($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    errors.Add(ex.Message);
                }
            }
            return (latencies, errors);
        })).ToList();
        var results = await Task.WhenAll(workers);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var all = results.SelectMany(r => r.latencies).ToList();
        var failures = results.SelectMany(r => r.errors).ToList();
        return new LoadResult(all.Count, failures.Count, failures.FirstOrDefault(), all.Count / seconds, Percentiles.Of(all))
        {
            Seconds = seconds, Latencies = all,
        };
    }
}

/// <summary>Successful requests per second and their latency in milliseconds; errors counted apart.</summary>
internal sealed record LoadResult(int Requests, int Errors, string? FirstError, double RequestsPerSecond, Percentiles LatencyMs)
{
    /// <summary>How long the run took, until its last answer.</summary>
    public double Seconds { get; init; }

    /// <summary>Every successful request's latency in milliseconds, so that runs can be <see cref="Combine"/>d.</summary>
    public IReadOnlyList<double> Latencies { get; init; } = [];

    /// <summary>Several runs of one load as one: all their requests over all their time, percentiles over every latency.</summary>
    public static LoadResult Combine(IReadOnlyList<LoadResult> runs)
    {
        var latencies = runs.SelectMany(r => r.Latencies).ToList();
        var seconds = runs.Sum(r => r.Seconds);
        return new LoadResult(runs.Sum(r => r.Requests), runs.Sum(r => r.Errors), runs.Select(r => r.FirstError).FirstOrDefault(e => e is not null),
            runs.Sum(r => r.Requests) / seconds, Percentiles.Of(latencies))
        {
            Seconds = seconds, Latencies = latencies,
        };
    }
}
