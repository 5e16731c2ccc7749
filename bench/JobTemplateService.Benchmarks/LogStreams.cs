using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;

namespace JobTemplateService.Benchmarks;

/// <summary>
/// Live logs: local jobs print "tick &lt;nanoseconds since the epoch&gt;" every interval; a client follows
/// each instance's log over Server-Sent Events (GET …/log, Accept: text/event-stream, as the console's
/// log page does) and takes, for every line, the time from its printing to its arrival. Lines printed
/// before a stream had been open a second are not counted (they arrive as a backlog). Every 250 ms the
/// connections its pool holds in use (jts_database_connections{state="used"} on /metrics) and its
/// connections to the database (pg_stat_activity) are counted, first for a few seconds
/// while every job runs and no stream is open (the jobs' log writers and the monitor use some),
/// then while the streams are open.
/// </summary>
internal sealed partial class LogStreams(string url, string adminKey, string adminConnectionString, BenchDatabase database, TimeSpan duration)
{
    public const string Command = "ticks";
    public const string CommandLine = """sh -c 'i=0; while [ $i -lt $TICKS ]; do i=$((i+1)); echo "tick $(date +%s%N)"; sleep $TICK_SECONDS; done'""";
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(1);

    public async Task<StreamResult> RunAsync(int streams, TimeSpan every)
    {
        using var api = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024 }) { BaseAddress = new Uri(url), Timeout = Timeout.InfiniteTimeSpan };
        api.DefaultRequestHeaders.Authorization = new("Bearer", adminKey);
        await PutTemplateAsync(api);
        database.Source.Clear(); // the seeding's idle connections: only the service's are counted

        // Enough ticks to outlast the wait for every job to run, the baseline and the measurement.
        var ticks = (int)Math.Ceiling((duration + Settle + TimeSpan.FromSeconds(60)).TotalSeconds / every.TotalSeconds);
        var instances = new List<(Guid Run, int Index)>();
        var runs = new List<Guid>();
        for (var launched = 0; launched < streams; launched += 100)
        {
            var count = Math.Min(100, streams - launched);
            var sets = Enumerable.Range(0, count).Select(_ => new Dictionary<string, string>
            {
                ["TICKS"] = ticks.ToString(), ["TICK_SECONDS"] = every.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }).ToArray();
            using var response = await api.PostAsJsonAsync("/v1/runs", new Dictionary<string, object>
            {
                ["user-id"] = "bench", ["user-run-id"] = $"ticks-{streams}-{launched}-{Guid.NewGuid():N}", ["source-type"] = "ticks",
                ["target-type"] = "log", ["runtime-parameters"] = sets,
            });
            var body = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"launching the ticking jobs answered {(int)response.StatusCode}: {body}");
            var run = JsonDocument.Parse(body).RootElement.GetProperty("run-id").GetGuid();
            runs.Add(run);
            instances.AddRange(Enumerable.Range(0, count).Select(i => (run, i)));
        }

        await WaitUntilRunningAsync(api, runs, instances.Count);
        var baseline = await SampleAsync(api, TimeSpan.FromSeconds(3));

        using var stop = new CancellationTokenSource();
        var latencies = new List<double>[instances.Count];
        var opened = new int[1];
        var readers = instances.Select((instance, n) => Task.Run(() => FollowAsync(api, instance, latencies[n] = [], opened, stop.Token))).ToList();
        var samples = await SampleAsync(api, duration + Settle);
        var open = Volatile.Read(ref opened[0]);
        await stop.CancelAsync();
        await Task.WhenAll(readers);
        foreach (var run in runs) (await api.PostAsync($"/v1/runs/{run}/cancel", null)).Dispose();

        var all = latencies.SelectMany(l => l).ToList();
        Log.Info($"console logs, {streams} stream(s) ({open} open): {all.Count} lines, p50 {Percentiles.Of(all).P50:0} p95 {Percentiles.Of(all).P95:0} ms; " +
                 $"pool connections in use with the jobs running and no stream open at most {baseline.Max(s => s.Used)}, with the streams open " +
                 $"at most {samples.Max(s => s.Used)}; database connections at most {baseline.Max(s => s.Total)}, then {samples.Max(s => s.Total)}");
        return new StreamResult(streams, open, every, Percentiles.Of(all), baseline.Max(s => s.Used), samples.Max(s => s.Used),
            baseline.Max(s => s.Total), samples.Max(s => s.Total));
    }

    private static async Task FollowAsync(HttpClient api, (Guid Run, int Index) instance, List<double> latencies, int[] opened, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/runs/{instance.Run}/instances/{instance.Index}/log");
        request.Headers.Accept.ParseAdd("text/event-stream");
        try
        {
            using var response = await api.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            response.EnsureSuccessStatusCode();
            Interlocked.Increment(ref opened[0]);
            var countFrom = Now() + Settle.Ticks * 100;
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
            var kind = "";
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal)) kind = line["event: ".Length..];
                if (kind != "line" || !line.StartsWith("data: ", StringComparison.Ordinal)) continue;
                var text = JsonDocument.Parse(line["data: ".Length..]).RootElement.GetProperty("text").GetString() ?? "";
                if (text.StartsWith("tick ", StringComparison.Ordinal) && long.TryParse(text[5..], out var printed) && printed >= countFrom)
                    latencies.Add((Now() - printed) / 1_000_000.0);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private static async Task WaitUntilRunningAsync(HttpClient api, List<Guid> runs, int instances)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var running = 0;
            foreach (var run in runs)
            {
                using var document = JsonDocument.Parse(await api.GetStringAsync($"/v1/runs/{run}"));
                running += document.RootElement.GetProperty("instances").EnumerateArray().Count(i => i.GetProperty("state").GetString() == "RUNNING");
            }
            if (running == instances) return;
            if (clock.Elapsed > TimeSpan.FromMinutes(2)) throw new TimeoutException($"{running} of {instances} ticking jobs running after 2 minutes");
            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
    }

    private async Task<List<(int Used, int Total)>> SampleAsync(HttpClient api, TimeSpan length)
    {
        var samples = new List<(int Used, int Total)>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < length)
        {
            var used = UsedConnections().Match(await api.GetStringAsync("/metrics"));
            samples.Add((used.Success ? int.Parse(used.Groups[1].Value) : -1, await ConnectionsAsync()));
            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
        return samples;
    }

    private static long Now() => (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;

    /// <summary>The service's connections to its database, idle ones of its pool included.</summary>
    private async Task<int> ConnectionsAsync()
    {
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*)::int FROM pg_stat_activity WHERE datname = @name", connection);
        command.Parameters.AddWithValue("name", database.Name);
        return (int)(await command.ExecuteScalarAsync())!;
    }

    [GeneratedRegex("^jts_database_connections\\{state=\"used\"\\} (\\d+)", RegexOptions.Multiline)]
    private static partial Regex UsedConnections();

    private static async Task PutTemplateAsync(HttpClient api)
    {
        using var response = await api.PutAsJsonAsync("/v1/admin/templates/bench-ticks", new Dictionary<string, object>
        {
            ["source-type"] = "ticks", ["target-type"] = "log", ["platform"] = "local", ["platform-template-id"] = Command,
            ["title"] = "Ticks", ["description"] = "Prints the time, over and over.",
        });
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"PUT /v1/admin/templates/bench-ticks answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}

/// <summary>What the clients saw over <see cref="Streams"/> live log streams, and the service's database connections meanwhile.</summary>
internal sealed record StreamResult(int Streams, int Opened, TimeSpan Every, Percentiles LatencyMs, int UsedBefore, int UsedDuring,
    int ConnectionsBefore, int ConnectionsDuring);
