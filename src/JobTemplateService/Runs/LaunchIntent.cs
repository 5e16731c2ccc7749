using JobTemplateService.Instances;
using JobTemplateService.Templates;

namespace JobTemplateService.Runs;

/// <summary>Everything recorded before the platform is called.</summary>
internal sealed record LaunchIntent(
    Guid RunId,
    LaunchRequest Request,
    JobTemplate Template,
    string? RequestedBy,
    string Scope,
    string RequestKey,
    string KeyKind,
    TimeSpan Retention,
    IReadOnlyList<IntentInstance> Instances,
    Guid Owner,
    TimeSpan Lease,
    string Fingerprint,
    string? StoredCallbackSecret,
    long CatalogVersion)
{
    /// <summary>The intent statement's parameters, with its start intent (<see cref="StartIntent()"/>, built once by the caller).</summary>
    public object ToParameters(StartIntent? start) => new
    {
        Scope, RequestKey, KeyKind, Fingerprint, RunId, Retention, CatalogVersion,
        Request.UserId, Request.UserRunId, Request.SourceType, Request.TargetType, Request.CallbackUrl, Request.RelaunchOf, CallbackSecret = StoredCallbackSecret,
        Template.JobTemplateId, Template.PatternName, Template.Platform,
        PlatformTemplateId = Template.SchJobTemplateId, RequestedBy, Template.MaxWait, Owner, Lease,
        StartIntent = start?.ToJson(),
        InstanceIds = Queued.Select(i => i.InstanceId).ToArray(),
        Ordinals = Queued.Select(i => i.Ordinal).ToArray(),
        Parameters = Queued.Select(i => InstanceRepository.ParametersText(i.MaskedParameters)).ToArray(),
        SecretKeys = Queued.Select(i => InstanceRepository.SecretKeysText(i.CallerSecretKeys)).ToArray(),
    };

    /// <summary>The instances this launch starts itself, recorded in its run until the platform answers; null when all wait in the queue.</summary>
    public StartIntent? StartIntent()
    {
        var starting = Instances.Where(i => i.State == InstanceStates.Starting)
            .Select(i => new StartIntentInstance(i.InstanceId, i.Ordinal, i.MaskedParameters, i.CallerSecretKeys)).ToList();
        return starting.Count == 0 ? null : new StartIntent(Template.MaxWait?.TotalSeconds, starting);
    }

    private IEnumerable<IntentInstance> Queued => Instances.Where(i => i.State == InstanceStates.Queued);
}

/// <summary>An instance as recorded: masked parameters only; real values stay in memory.</summary>
internal sealed record IntentInstance(
    Guid InstanceId,
    int Ordinal,
    string State,
    IReadOnlyDictionary<string, string> MaskedParameters,
    string[] CallerSecretKeys,
    IReadOnlyDictionary<string, string> Values);
