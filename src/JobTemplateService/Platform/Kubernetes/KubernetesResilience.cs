using JobTemplateService.Common;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace JobTemplateService.Platform.Kubernetes;

/// <summary>
/// One pipeline for every Kubernetes API call, as for Control Hub: retry (reads and deletes only)
/// → circuit breaker → per-attempt timeout. A create is never retried here: the launch path
/// decides what an unclear create means.
/// </summary>
internal sealed class KubernetesResilience
{
    public static readonly ResiliencePropertyKey<bool> IsWrite = new("jts.kubernetes.write");

    private readonly CircuitBreakerStateProvider state = new();

    public KubernetesResilience(IOptions<KubernetesClientOptions> options, TimeProvider timeProvider,
        ILogger<KubernetesResilience> logger, ServiceTelemetry telemetry)
    {
        var o = options.Value;
        BreakDuration = o.BreakerBreakDuration;
        Pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = args => ValueTask.FromResult(o.ReadRetries > 0
                    && !args.Context.Properties.GetValue(IsWrite, false) && IsTransient(args.Outcome)),
                MaxRetryAttempts = Math.Max(o.ReadRetries, 1),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = o.RetryBaseDelay,
                MaxDelay = TimeSpan.FromSeconds(30),
                OnRetry = args =>
                {
                    logger.LogWarning("Kubernetes API call failed ({Outcome}); retry {Attempt} in {Delay}",
                        Describe(args.Outcome), args.AttemptNumber + 1, args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
                FailureRatio = o.BreakerFailureRatio,
                MinimumThroughput = Math.Max(o.BreakerMinimumThroughput, 2),
                SamplingDuration = o.BreakerSamplingDuration,
                BreakDuration = o.BreakerBreakDuration,
                StateProvider = state,
                OnOpened = args =>
                {
                    telemetry.CircuitOpened();
                    logger.LogError("Kubernetes API circuit opened for {BreakDuration} after {Outcome}", args.BreakDuration, Describe(args.Outcome));
                    return ValueTask.CompletedTask;
                },
            })
            .AddTimeout(new TimeoutStrategyOptions
            {
                TimeoutGenerator = args => ValueTask.FromResult(args.Context.Properties.GetValue(IsWrite, false) ? o.WriteTimeout : o.ReadTimeout),
            })
            .Build();
    }

    public ResiliencePipeline<HttpResponseMessage> Pipeline { get; }

    public TimeSpan BreakDuration { get; }

    public bool IsOpen => state.CircuitState is CircuitState.Open or CircuitState.Isolated;

    private static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Result: { } response } => (int)response.StatusCode >= 500 || (int)response.StatusCode is 408 or 429,
        _ => false,
    };

    private static string Describe(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception?.GetType().Name ?? $"HTTP {(int?)outcome.Result?.StatusCode}";
}

/// <summary>Runs the Kubernetes client's requests through <see cref="KubernetesResilience"/>.</summary>
internal sealed class KubernetesResilienceHandler(KubernetesResilience resilience) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(KubernetesResilience.IsWrite, request.Method != HttpMethod.Get && request.Method != HttpMethod.Delete);
        try
        {
            var attempt = 0;
            return await resilience.Pipeline.ExecuteAsync(async (ctx, state) =>
                await state.Handler.Forward(attempt++ == 0 ? state.Request : Copy(state.Request, state.Body), ctx.CancellationToken),
                context, (Handler: this, Request: request, Body: body));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private Task<HttpResponseMessage> Forward(HttpRequestMessage request, CancellationToken ct) => base.SendAsync(request, ct);

    /// <summary>A fresh message for a retry: one HttpRequestMessage is not sent twice.</summary>
    private static HttpRequestMessage Copy(HttpRequestMessage request, byte[]? body)
    {
        var copy = new HttpRequestMessage(request.Method, request.RequestUri) { Version = request.Version };
        foreach (var header in request.Headers) copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        if (body is null) return copy;
        copy.Content = new ByteArrayContent(body);
        foreach (var header in request.Content!.Headers) copy.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        return copy;
    }
}
