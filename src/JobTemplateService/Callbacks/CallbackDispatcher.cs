using System.Text.Json;
using System.Text;
using JobTemplateService.Common;
using JobTemplateService.Runs;
using JobTemplateService.Security;
using Microsoft.Extensions.Options;

namespace JobTemplateService.Callbacks;

/// <summary>
/// Delivers callbacks from the durable outboxes: POSTs {event, delivery-id, run} (run.finished) or
/// {event, delivery-id, stalled-since, instance, run} (instance.stalled) to the caller's URL, signed
/// when a secret was given, retried with exponential backoff until a 2xx or Callbacks:MaxAttempts.
/// At least once: the delivery id lets receivers drop duplicates.
/// </summary>
internal sealed class CallbackDispatcher(CallbackRepository outbox, RunRepository runs, IHttpClientFactory http, CallbackSecrets secrets,
    ReplicaIdentity replica, IOptions<CallbackOptions> options, TimeProvider time, ILogger<CallbackDispatcher> logger)
    : PeriodicService(time, logger)
{
    public const string HttpClientName = "callbacks";
    private const int MaxErrorLength = 300;
    private const int MaxAnswerBytes = 64 * 1024;

    protected override TimeSpan Interval => options.Value.PollInterval;

    protected override Task PassAsync(CancellationToken ct) => RunOnceAsync(ct);

    private bool plainSecretsProtected;

    internal async Task<int> RunOnceAsync(CancellationToken ct)
    {
        if (!plainSecretsProtected)
        {
            // Runs recorded before secrets were encrypted at rest: encrypt theirs once per process start.
            var protectedCount = await outbox.ProtectPlainSecretsAsync(secrets.Protect, ct);
            if (protectedCount > 0) logger.LogInformation("Encrypted the callback secrets of {Count} older run(s)", protectedCount);
            plainSecretsProtected = true;
        }
        var due = await outbox.ClaimAsync(replica.Id, 50, ct);
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct },
            async (callback, token) => await DeliverAsync(callback, token));
        return due.Count;
    }

    private async Task DeliverAsync(DueCallback callback, CancellationToken ct)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["RunId"] = callback.RunId });
        var o = options.Value;
        int? status = null;
        string? error;
        try
        {
            var run = await runs.GetAsync(callback.RunId, ct) ?? throw new InvalidOperationException("The run no longer exists.");
            var sentAt = Time.GetUtcNow().UtcDateTime;
            var body = callback.InstanceId is { } instanceId
                ? JsonSerializer.Serialize(new InstanceEventPayload(callback.Event, callback.DeliveryId, sentAt, callback.OccurredAt,
                    run.Instances.Single(i => i.InstanceId == instanceId), run), Json.Options)
                : JsonSerializer.Serialize(new CallbackPayload(callback.Event, callback.DeliveryId, sentAt, run), Json.Options);
            using var request = new HttpRequestMessage(HttpMethod.Post, callback.CallbackUrl) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Add("X-JTS-Delivery", callback.DeliveryId.ToString());
            request.Headers.Add("X-JTS-Event", callback.Event);
            if (secrets.Unprotect(callback.CallbackSecret) is { } secret)
                request.Headers.Add(CallbackSigner.Header, CallbackSigner.Sign(secret, Time.GetUtcNow().ToUnixTimeSeconds(), body));
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(o.RequestTimeout);
            using var response = await http.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            status = (int)response.StatusCode;
            await DrainAsync(response, timeout.Token);
            if (response.IsSuccessStatusCode)
            {
                await outbox.RecordAsync(replica.Id, callback, true, false, status, null, TimeSpan.Zero, ct);
                logger.LogInformation("Delivered the {Event} callback of run {RunId} (attempt {Attempt})", callback.Event, callback.RunId, callback.Attempts);
                return;
            }
            error = $"HTTP {status}";
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            error = ex is OperationCanceledException ? $"No answer within {o.RequestTimeout}"
                : Refused(ex)?.Message ?? ex.Message;
        }
        // Every reader of the run sees this text: bounded, on one line.
        error = new string(error.Select(c => char.IsControl(c) ? ' ' : c).Take(MaxErrorLength).ToArray());

        var giveUp = callback.Attempts >= o.MaxAttempts;
        var backoff = TimeSpan.FromSeconds(Math.Min(Math.Pow(2, callback.Attempts - 1), o.MaxBackoff.TotalSeconds) * (0.8 + Random.Shared.NextDouble() * 0.4));
        await outbox.RecordAsync(replica.Id, callback, false, giveUp, status, error, backoff, ct);
        logger.LogWarning("The {Event} callback of run {RunId} failed (attempt {Attempt}: {Error}); {Next}",
            callback.Event, callback.RunId, callback.Attempts, error, giveUp ? "giving up" : $"retrying in {backoff.TotalSeconds:0.#} s");
    }

    /// <summary>Reads (and drops) at most 64 KiB of the answer: a receiver cannot hold a delivery with an endless body.</summary>
    private static async Task DrainAsync(HttpResponseMessage response, CancellationToken ct)
    {
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[16 * 1024];
        for (var total = 0; total < MaxAnswerBytes;)
        {
            var read = await body.ReadAsync(buffer, ct);
            if (read == 0) break;
            total += read;
        }
    }

    private static CallbackTargetRefusedException? Refused(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is CallbackTargetRefusedException refused) return refused;
        }
        return null;
    }
}

/// <summary>The body of a completion callback.</summary>
public sealed record CallbackPayload(string Event, Guid DeliveryId, DateTime SentAt, RunResource Run);

/// <summary>The body of an instance event (instance.stalled): when it stalled, the instance as it is now, and its run.</summary>
public sealed record InstanceEventPayload(string Event, Guid DeliveryId, DateTime SentAt, DateTime? StalledSince, InstanceResource Instance,
    RunResource Run);
