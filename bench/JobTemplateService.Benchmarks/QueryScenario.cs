using System.Diagnostics;
using FakeControlHub;

namespace JobTemplateService.Benchmarks;

/// <summary>
/// Query latency: GET /v1/metrics?user-run-id= and GET /v1/runs?user-run-id= one at a time against
/// the service process, over a bulk-loaded history, for random user-run-ids that exist. Also keeps
/// the database's own plan and execution time for one such query of each kind (EXPLAIN ANALYZE).
/// </summary>
internal sealed class QueryScenario(BenchSettings settings, Postgres postgres, HttpClient control)
{
    public async Task<QueryResults> RunAsync()
    {
        var sizes = settings.Sizes;
        await using var database = await postgres.CreateDatabaseAsync("bench_queries");
        var data = QuerySeed.Plan(sizes.MetricsRows, sizes.Runs);
        var loading = Stopwatch.StartNew();
        await QuerySeed.LoadAsync(database, data);
        Log.Info($"queries: loaded {data.MetricsRows:N0} metrics rows and {data.Runs:N0} runs in {loading.Elapsed.TotalSeconds:0} s");
        var counts = await database.QueryAsync<(long Metrics, long Runs)>(
            "SELECT (SELECT count(*) FROM streamsets.job_run_metrics), (SELECT count(*) FROM streamsets.run)");

        var fake = new FakeOptions();
        await using var hub = await FakeControlHubServer.StartAsync(fake);
        var environment = ServiceEnvironment.For(postgres, database, hub, fake, settings.Work, ServiceEnvironment.FreePort(),
            monitor: false, sizes.PollInterval);
        await using var service = ServiceProcess.Start(settings.ServiceDll, [], environment, Path.Combine(settings.Work, "queries-service.log"));
        await service.WaitReadyAsync(control, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(100));

        var random = new Random(42);
        string MetricsUrl() => $"{service.Url}/v1/metrics?user-run-id=" +
            (random.Next(2) == 0 ? $"run-{random.Next(data.RunUserRunIds)}" : $"legacy-{random.Next(Math.Max(data.LegacyUserRunIds, 1))}");
        string RunsUrl() => $"{service.Url}/v1/runs?user-run-id=run-{random.Next(data.RunUserRunIds)}";

        using var client = LoadGenerator.CreateClient();
        await SequentialAsync(client, MetricsUrl, sizes.QueryRequests / 4);
        await SequentialAsync(client, RunsUrl, sizes.QueryRequests / 4);
        var metrics = new List<QueryRun>();
        var runs = new List<QueryRun>();
        for (var repetition = 1; repetition <= sizes.Repetitions; repetition++)
        {
            metrics.Add(await SequentialAsync(client, MetricsUrl, sizes.QueryRequests));
            runs.Add(await SequentialAsync(client, RunsUrl, sizes.QueryRequests));
            Log.Info($"queries rep {repetition}: metrics p50 {metrics[^1].LatencyMs.P50:0.00} p99 {metrics[^1].LatencyMs.P99:0.00} ms " +
                     $"({metrics[^1].RowsPerResponse:0.0} rows each); runs p50 {runs[^1].LatencyMs.P50:0.00} p99 {runs[^1].LatencyMs.P99:0.00} ms");
        }
        var plans = await QueryPlans.ExplainAsync(database, "run-1", "legacy-1");
        return new QueryResults(data, counts[0].Metrics, counts[0].Runs, metrics, runs, plans);
    }

    /// <summary>One request at a time; every answer must be 200 with at least one row.</summary>
    public static async Task<QueryRun> SequentialAsync(HttpClient client, Func<string> url, int count)
    {
        var latencies = new List<double>(count);
        long rows = 0;
        for (var i = 0; i < count; i++)
        {
            var target = url();
            var sent = Stopwatch.GetTimestamp();
            using var response = await client.GetAsync(target);
            var body = await response.Content.ReadAsStringAsync();
            latencies.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{target} answered {(int)response.StatusCode}: {body}");
            rows += CountItems(body);
        }
        return new QueryRun(Percentiles.Of(latencies), (double)rows / count);
    }

    private static int CountItems(string body)
    {
        using var document = System.Text.Json.JsonDocument.Parse(body);
        return document.RootElement.EnumerateObject().FirstOrDefault(p => p.Value.ValueKind == System.Text.Json.JsonValueKind.Array)
            .Value is { ValueKind: System.Text.Json.JsonValueKind.Array } items ? items.GetArrayLength() : 0;
    }
}

internal sealed record QueryRun(Percentiles LatencyMs, double RowsPerResponse);

internal sealed record QueryResults(QueryData Data, long MetricsRows, long Runs, IReadOnlyList<QueryRun> Metrics, IReadOnlyList<QueryRun> RunList,
    IReadOnlyList<QueryPlan> Plans);
