using System.Text.Json;
using JobTemplateService.Common;
using JobTemplateService.Instances;
using JobTemplateService.Platform;
using JobTemplateService.Security;
using JobTemplateService.Templates;
using Microsoft.Extensions.Options;

namespace JobTemplateService.Runs;

/// <summary>
/// The one orchestrator of a launch: resolve the template, merge parameters, record the intent
/// under its idempotency key, start the instances once, record the outcome. It answers as soon
/// as the platform has accepted the instances; monitors take it from there.
/// </summary>
internal sealed class RunLauncher(
    TemplateRepository templates, LaunchRepository launches, RunRepository runs, InstanceStarter starter,
    PlatformRegistry platforms, ReplicaIdentity replica, ActiveLeases activeLeases, IOptions<ServiceOptions> service,
    IOptions<MonitorOptions> monitor, ServiceKeys keys, CallbackSecrets callbackSecrets,
    IHostApplicationLifetime lifetime, ServiceTelemetry telemetry, ILogger<RunLauncher> logger)
{
    private const int MaxTemplateReads = 20;

    public async Task<LaunchResult> LaunchAsync(LaunchRequest request, LaunchCaller caller, CancellationToken ct)
    {
        // The template as this replica read it before, if it did: read afresh before refusing
        // anything, and whenever the catalog changed before the intent could be recorded.
        for (var reads = 0; ; reads++)
        {
            var resolved = await templates.ResolveForLaunchAsync(request.SourceType, request.TargetType, fresh: reads > 0, ct);
            if (await LaunchAsync(request, caller, resolved, ct) is { } result) return result;
            if (reads == MaxTemplateReads)
                throw new TemplateCatalogChangingException(
                    $"The templates changed {MaxTemplateReads} times while this launch was being recorded; nothing was launched. Send it again.");
        }
    }

    /// <summary>The launch with this template; null when it must be read afresh (see above).</summary>
    private async Task<LaunchResult?> LaunchAsync(LaunchRequest request, LaunchCaller caller, ResolvedTemplate resolved, CancellationToken ct)
    {
        var template = resolved.Template;
        if (template is null) return Refuse(resolved, "no_template", new LaunchRefusal.NoTemplate(request.SourceType, request.TargetType));
        if (LaunchRefusal.ForTemplate(template, caller) is { } refusal)
            return Refuse(resolved, refusal is LaunchRefusal.Forbidden ? "forbidden" : "template_disabled", refusal);

        var merge = ParameterMerger.Merge(template, request.RuntimeParameters);
        if (!merge.Succeeded) return Refuse(resolved, "invalid_parameters", new LaunchRefusal.InvalidParameters(merge.Errors, merge.Detail!));

        var platform = platforms.Find(template.Platform);
        if (platform is null) return Refuse(resolved, "platform_not_configured", new LaunchRefusal.PlatformNotConfigured(template.Platform));
        if (platform.IsRefusingCalls)
        {
            if (resolved.Kept) return null;
            telemetry.Launch("platform_unavailable");
            throw new PlatformUnavailableException($"{template.Platform} is failing; launches are refused until it recovers.",
                TimeSpan.FromSeconds(10));
        }

        var fingerprintKey = await keys.FingerprintKeyAsync(ct);
        var intent = CreateIntent(request, template, merge, caller, request.Fingerprint(fingerprintKey), resolved.CatalogVersion);
        using var logScope = logger.BeginScope(new Dictionary<string, object>
        {
            ["RunId"] = intent.RunId, ["UserRunId"] = request.UserRunId,
        });
        RecordedIntent? recorded = null;
        for (var attempt = 0; attempt < 3 && recorded is null; attempt++)
        {
            var record = await launches.RecordIntentAsync(intent, ct);
            if (record.TemplateChanged) return null;
            recorded = record.Recorded;
            if (recorded is not null) break;
            var existing = await launches.FindRequestAsync(intent.Scope, intent.RequestKey, service.Value.InFlightTimeout, ct);
            if (existing is not null) return await ReplayAsync(existing, request, fingerprintKey, ct);
        }
        if (recorded is null) throw new InvalidOperationException("The launch could neither be recorded nor found.");
        intent = intent with { Instances = recorded.Instances };

        logger.LogInformation("Launching {InstanceCount} instance(s) of {PatternName} ({PlatformTemplateId}) on {Platform} for {UserId}",
            intent.Instances.Count, template.PatternName, template.SchJobTemplateId, template.Platform, request.UserId);

        // The launch must finish recording even if the caller hangs up; only shutdown interrupts it.
        var durable = lifetime.ApplicationStopping;
        var toStart = intent.Instances.Where(i => i.State == InstanceStates.Starting).ToList();
        if (toStart.Count == 0)
        {
            var queued = Respond(intent, recorded.CreatedAt, null).Run!;
            await launches.CompleteRequestAsync(new StoredResponse(intent.Scope, intent.RequestKey, intent.RunId,
                StatusCodes.Status202Accepted, JsonSerializer.Serialize(queued, Json.Options)), durable);
            telemetry.Launch("queued");
            return new LaunchResult.Launched(queued);
        }
        // The start intent's lease is the run's: renewed by the heartbeat while the platform answers.
        using var holding = activeLeases.Hold([intent.RunId]);
        var batch = new StartBatch(intent.RunId, replica.Id, template, InstanceStates.Starting,
            toStart.Select(i => new StartItem(new InstanceLease(i.InstanceId, 1), i.Ordinal, i.Values)).ToList(), recorded.Start);
        var start = await starter.SendAsync(platform, batch, durable);
        var outcome = start.Outcome;
        if (outcome is StartOutcome.NotSent or StartOutcome.LeaseLost)
        {
            telemetry.Launch(outcome.Name);
            if (outcome is StartOutcome.NotSent notSent && await launches.UndoIntentAsync(intent, durable))
                throw new PlatformUnavailableException(notSent.Message, notSent.RetryAfter);
            // Not undone (a queued instance of the run was promoted meanwhile): its instances wait PENDING.
            await starter.RecordAsync(start, null, durable);
            return new LaunchResult.Launched((await runs.GetAsync(intent.RunId, ct))!);
        }

        // The answer stored for the key commits with the outcome it describes: one round trip.
        var (resource, problem) = Respond(intent, recorded.CreatedAt, outcome);
        var answer = new StoredResponse(intent.Scope, intent.RequestKey, intent.RunId, problem?.Status ?? StatusCodes.Status202Accepted,
            problem?.Json ?? JsonSerializer.Serialize(resource, Json.Options));
        await starter.RecordAsync(start, LaunchRepository.CompleteRequest(answer), durable);
        telemetry.Launch(outcome.Name);
        return problem is not null ? new LaunchResult.Stored(problem.Status, problem.Json, Replayed: false)
            : new LaunchResult.Launched(resource!, answer.Body);
    }

    private LaunchIntent CreateIntent(LaunchRequest request, JobTemplate template, MergeResult merge, LaunchCaller caller, string fingerprint,
        long catalogVersion)
    {
        var (key, kind) = caller.IdempotencyKey is { } header ? ("header:" + header, "header") : (request.NaturalKey(), "natural");
        // Every instance of a launch has the same keys, mostly: which are secret is decided once per key.
        var secret = merge.Instances.SelectMany(m => m.Values.Keys).Distinct(StringComparer.Ordinal)
            .Where(name => SecretMasker.IsSecret(name, template.SecretParameters)).ToHashSet(StringComparer.Ordinal);
        var instances = merge.Instances.Select((m, i) => new IntentInstance(Guid.CreateVersion7(), i, InstanceStates.Starting,
            m.Masked(secret), m.CallerSecretKeys(secret), m.Values)).ToList();
        return new LaunchIntent(Guid.CreateVersion7(), request, template, caller.KeyName, caller.Scope, key, kind,
            service.Value.IdempotencyRetention, instances, replica.Id, monitor.Value.LeaseDuration, fingerprint,
            callbackSecrets.Protect(request.CallbackSecret), catalogVersion);
    }

    private static (RunResource? Run, ProblemHttpResultBody? Problem) Respond(LaunchIntent intent, DateTime createdAt, StartOutcome? outcome)
    {
        if (outcome is StartOutcome.Rejected rejected)
        {
            return (null, ProblemHttpResultBody.From(Problems.PlatformRejected(rejected.Platform, rejected.Code, rejected.Message)));
        }
        var jobs = outcome is StartOutcome.Started s ? s.Jobs.ToDictionary(j => j.InstanceId) : [];
        var startedAt = (outcome as StartOutcome.Started)?.StartedAt;
        var error = (outcome as StartOutcome.Unknown)?.Message;
        var state = jobs.Count > 0 ? InstanceStates.Running : InstanceStates.Starting;
        string StateOf(IntentInstance i) => i.State == InstanceStates.Queued ? i.State : state;
        var run = new RunRow
        {
            RunId = intent.RunId, UserId = intent.Request.UserId, UserRunId = intent.Request.UserRunId,
            SourceType = intent.Request.SourceType, TargetType = intent.Request.TargetType,
            JobTemplateId = intent.Template.JobTemplateId, PatternName = intent.Template.PatternName,
            Platform = intent.Template.Platform, PlatformTemplateId = intent.Template.SchJobTemplateId,
            State = jobs.Count > 0 ? RunStates.Running : RunStates.Starting, RequestedBy = intent.RequestedBy, CreatedAt = createdAt,
            CallbackUrl = intent.Request.CallbackUrl, RelaunchOf = intent.Request.RelaunchOf,
        };
        // As a GET would read them back, without a round trip through the stored JSON.
        var instances = intent.Instances.Select(i => new InstanceResource(i.InstanceId, i.Ordinal,
            jobs.GetValueOrDefault(i.InstanceId)?.JobId, jobs.GetValueOrDefault(i.InstanceId)?.Name, StateOf(i),
            jobs.ContainsKey(i.InstanceId) ? startedAt : null, FinishedAt: null, i.State == InstanceStates.Queued ? null : error,
            i.MaskedParameters, Metrics: null));
        return (RunResource.From(run, instances), null);
    }

    private async Task<LaunchResult> ReplayAsync(LaunchRequestRow existing, LaunchRequest request, byte[] fingerprintKey, CancellationToken ct)
    {
        if (!request.HasFingerprint(existing.Fingerprint, fingerprintKey))
            return Fail("idempotency_mismatch", new LaunchRefusal.IdempotencyMismatch(existing.KeyKind));
        telemetry.Launch("replayed");
        if (existing is { ResponseStatus: { } status, ResponseBody: { } body })
            return new LaunchResult.Stored(status, body, Replayed: true);
        if (!existing.Stale || existing.RunId is not { } runId)
            return new LaunchResult.Failed(new LaunchRefusal.InFlight(TimeSpan.FromSeconds(1)));
        // The request that recorded this launch died before answering; the run itself is safe.
        var run = await runs.GetAsync(runId, ct);
        return run is null ? new LaunchResult.Failed(new LaunchRefusal.InFlight(TimeSpan.FromSeconds(1))) : new LaunchResult.Launched(run);
    }

    /// <summary>A refusal stands only on a template read now; one kept from before is read again first (null).</summary>
    private LaunchResult? Refuse(ResolvedTemplate resolved, string outcome, LaunchRefusal refusal) =>
        resolved.Kept ? null : Fail(outcome, refusal);

    private LaunchResult Fail(string outcome, LaunchRefusal refusal)
    {
        telemetry.Launch(outcome);
        return new LaunchResult.Failed(refusal);
    }
}

/// <summary>Who is launching: the scope idempotency keys live in, and the API key's name for the audit trail.</summary>
internal sealed record LaunchCaller(string Scope, string? KeyName, string? IdempotencyKey)
{
    /// <summary>The key's template limits; empty: every template.</summary>
    public IReadOnlyList<string> Templates { get; init; } = [];
}
