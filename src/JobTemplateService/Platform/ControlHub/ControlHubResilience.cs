using JobTemplateService.Common;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace JobTemplateService.Platform.ControlHub;

/// <summary>
/// One pipeline for every Control Hub call: retry (reads only) → circuit breaker (shared by all
/// calls, launches included) → per-attempt timeout. A launch POST is never retried: a retry
/// after a timeout could start the instances twice.
/// </summary>
internal sealed class ControlHubResilience
{
    public static readonly ResiliencePropertyKey<bool> IsLaunch = new("jts.controlhub.launch");

    private readonly CircuitBreakerStateProvider state = new();

    public ControlHubResilience(IOptions<ControlHubClientOptions> options, TimeProvider timeProvider,
        ILogger<ControlHubResilience> logger, ServiceTelemetry telemetry)
    {
        var o = options.Value;
        BreakDuration = o.BreakerBreakDuration;
        Pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = args => ValueTask.FromResult(o.ReadRetries > 0
                    && !args.Context.Properties.GetValue(IsLaunch, false) && IsTransient(args.Outcome)),
                MaxRetryAttempts = Math.Max(o.ReadRetries, 1),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = o.RetryBaseDelay,
                MaxDelay = TimeSpan.FromSeconds(30),
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome)),
                OnRetry = args =>
                {
                    logger.LogWarning("Control Hub call failed ({Outcome}); retry {Attempt} in {Delay}",
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
                    logger.LogError("Control Hub circuit opened for {BreakDuration} after {Outcome}",
                        args.BreakDuration, Describe(args.Outcome));
                    return ValueTask.CompletedTask;
                },
                OnClosed = _ =>
                {
                    logger.LogInformation("Control Hub circuit closed");
                    return ValueTask.CompletedTask;
                },
            })
            .AddTimeout(new TimeoutStrategyOptions
            {
                TimeoutGenerator = args => ValueTask.FromResult(
                    args.Context.Properties.GetValue(IsLaunch, false) ? o.LaunchTimeout : o.ReadTimeout),
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

    private static TimeSpan? RetryAfter(Outcome<HttpResponseMessage> outcome)
    {
        var header = outcome.Result?.Headers.RetryAfter;
        var delay = header?.Delta ?? (header?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        return delay is { } d && d > TimeSpan.Zero ? TimeSpan.FromSeconds(Math.Min(d.TotalSeconds, 30)) : null;
    }

    private static string Describe(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception?.GetType().Name ?? $"HTTP {(int?)outcome.Result?.StatusCode}";
}
