using System.Text.Json;
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
    /// <summary>An instance's caller secret keys when there are none, as the intent's SQL tests for them.</summary>
    public const string NoKeys = "[]";

    public object ToParameters() => new
    {
        Scope, RequestKey, KeyKind, Fingerprint, RunId, Retention, CatalogVersion,
        Request.UserId, Request.UserRunId, Request.SourceType, Request.TargetType, Request.CallbackUrl, Request.RelaunchOf, CallbackSecret = StoredCallbackSecret,
        Template.JobTemplateId, Template.PatternName, Template.Platform,
        PlatformTemplateId = Template.SchJobTemplateId, RequestedBy, Template.MaxWait, Owner, Lease,
        InstanceIds = Instances.Select(i => i.InstanceId).ToArray(),
        Ordinals = Instances.Select(i => i.Ordinal).ToArray(),
        States = Instances.Select(i => i.State).ToArray(),
        Parameters = Instances.Select(i => JsonSerializer.Serialize(i.MaskedParameters)).ToArray(),
        SecretKeys = Instances.Select(i => i.CallerSecretKeys.Length == 0 ? NoKeys : JsonSerializer.Serialize(i.CallerSecretKeys)).ToArray(),
    };
}

/// <summary>An instance as recorded: masked parameters only; real values stay in memory.</summary>
internal sealed record IntentInstance(
    Guid InstanceId,
    int Ordinal,
    string State,
    IReadOnlyDictionary<string, string> MaskedParameters,
    string[] CallerSecretKeys,
    IReadOnlyDictionary<string, string> Values);
