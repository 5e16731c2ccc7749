using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace ChaosDriver;

/// <summary>
/// A steady stream of launches, each as a careful client sends it: one Idempotency-Key per launch,
/// resent with the same body on 409, 429, 5xx, timeouts and refused connections (to another
/// replica, as a load balancer would) until the service accepts it or the launch's deadline passes.
/// </summary>
internal sealed class LaunchStream(ChaosSettings settings, HttpClient http)
{
    private static readonly TimeSpan LaunchDeadline = TimeSpan.FromSeconds(240);
    private readonly ConcurrentQueue<Attempt> attempts = new();
    private readonly ConcurrentQueue<Launch> launches = new();
    private readonly CancellationTokenSource stop = new();
    private readonly Random random = new(settings.Seed);
    private int sequence;
    private Task? workers;

    public IReadOnlyCollection<Attempt> Attempts => attempts;
    public IReadOnlyCollection<Launch> Launches => launches;

    public void Start() => workers = Task.WhenAll(Enumerable.Range(0, settings.Workers).Select(_ => Task.Run(WorkAsync)));

    /// <summary>No new launches; waits for those under way to be accepted or to give up.</summary>
    public async Task StopAsync()
    {
        stop.Cancel();
        if (workers is not null) await workers;
    }

    public Launch NewLaunch()
    {
        var n = Interlocked.Increment(ref sequence);
        int count;
        lock (random) count = 1 + random.Next(3);
        var body = new JsonObject
        {
            ["user-id"] = "chaos", ["user-run-id"] = $"chaos-{settings.Seed}-{n}", ["source-type"] = "http", ["target-type"] = "gcs",
            ["runtime-parameters"] = new JsonArray(Enumerable.Range(1, count)
                .Select(i => (JsonNode)new JsonObject { ["CITY"] = $"city-{n}-{i}", ["GCS_FOLDER"] = $"folder-{i}" }).ToArray()),
        };
        return new Launch(n, $"chaos-key-{settings.Seed}-{n}", body["user-run-id"]!.GetValue<string>(), body.ToJsonString(), count);
    }

    private async Task WorkAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            var launch = NewLaunch();
            launches.Enqueue(launch);
            await SendAsync(launch);
            try
            {
                await Task.Delay(300 + Random.Shared.Next(400), stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <summary>Sends until accepted, rejected, or out of time; every try is recorded.</summary>
    public async Task SendAsync(Launch launch)
    {
        var deadline = DateTime.UtcNow + LaunchDeadline;
        var backoff = TimeSpan.FromMilliseconds(250);
        var avoid = 0;
        while (DateTime.UtcNow < deadline)
        {
            var candidates = settings.ServicePorts.Where(p => p != avoid).ToArray();
            var port = candidates[Random.Shared.Next(candidates.Length)];
            var started = DateTime.UtcNow;
            int? status = null;
            string? error = null;
            TimeSpan? retryAfter = null;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{port}/v1/runs")
                {
                    Content = new StringContent(launch.Body, Encoding.UTF8, "application/json"),
                };
                request.Headers.Add("Idempotency-Key", launch.Key);
                using var response = await http.SendAsync(request);
                status = (int)response.StatusCode;
                var text = await response.Content.ReadAsStringAsync();
                retryAfter = response.Headers.RetryAfter?.Delta;
                if (response.IsSuccessStatusCode)
                {
                    launch.RunId = JsonNode.Parse(text)!["run-id"]!.GetValue<Guid>();
                    launch.AcceptedAt = DateTime.UtcNow;
                }
                else if (!Retryable(response.StatusCode))
                {
                    launch.Rejection = $"HTTP {status}: {text}";
                }
                else error = $"HTTP {status}";
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
            {
                error = ex.GetType().Name;
                avoid = port; // another replica next time, as a load balancer would
            }
            attempts.Enqueue(new Attempt(started, DateTime.UtcNow, port, status, error));
            launch.Attempts++;
            if (launch.RunId is not null || launch.Rejection is not null) return;
            var wait = retryAfter is { } r ? TimeSpan.FromSeconds(Math.Min(r.TotalSeconds, 3)) : backoff;
            await Task.Delay(wait + TimeSpan.FromMilliseconds(Random.Shared.Next(200)));
            backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, 3000));
        }
        launch.GaveUp = true;
    }

    private static bool Retryable(HttpStatusCode status) =>
        status is HttpStatusCode.Conflict or HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout || (int)status >= 500;

    /// <summary>Share of tries started in a window that did not succeed.</summary>
    public (int Tries, int Failed) ErrorsBetween(DateTime from, DateTime to)
    {
        var window = attempts.Where(a => a.Started >= from && a.Started < to).ToList();
        return (window.Count, window.Count(a => a.Status is not (>= 200 and < 300)));
    }

    /// <summary>When the first try that started after a moment succeeded, if one has.</summary>
    public DateTime? FirstSuccessAfter(DateTime after) =>
        attempts.Where(a => a.Started >= after && a.Status is >= 200 and < 300).Select(a => (DateTime?)a.Ended).Min();
}

internal sealed class Launch(int number, string key, string userRunId, string body, int instances)
{
    public int Number { get; } = number;
    public string Key { get; } = key;
    public string UserRunId { get; } = userRunId;
    public string Body { get; } = body;
    public int Instances { get; } = instances;
    public Guid? RunId { get; set; }
    public DateTime? AcceptedAt { get; set; }
    public string? Rejection { get; set; }
    public bool GaveUp { get; set; }
    public int Attempts { get; set; }

    public JsonObject Parameters(int index) => JsonNode.Parse(Body)!["runtime-parameters"]![index]!.AsObject();
}

internal sealed record Attempt(DateTime Started, DateTime Ended, int Port, int? Status, string? Error);
