using System.Text.RegularExpressions;
using Dapper;
using JobTemplateService.Instances;
using JobTemplateService.Security;
using JobTemplateService.Templates;
using Npgsql;

namespace JobTemplateService.Runs;

/// <summary>
/// Launches again the parameter sets of a run's instances that ended badly, as a new run that
/// names the original (relaunch-of). The caller's values are what the original stored; template
/// values are taken from the template as it is now. Secrets the caller sent were never stored, so
/// they must be sent again (supplied, keyed by the original instance's index).
/// </summary>
internal sealed partial class RunRelauncher(TemplateRepository templates, RunLauncher launcher, NpgsqlDataSource dataSource)
{
    public static readonly IReadOnlySet<string> RelaunchedStates = new HashSet<string>(StringComparer.Ordinal)
    {
        InstanceStates.Failed, InstanceStates.TimedOut, InstanceStates.StartFailed, InstanceStates.Canceled,
    };

    public async Task<RelaunchOutcome> RelaunchAsync(RunResource run, IReadOnlyDictionary<int, IReadOnlyDictionary<string, string>> supplied,
        LaunchCaller caller, CancellationToken ct)
    {
        var failed = run.Instances.Where(i => RelaunchedStates.Contains(i.State)).ToList();
        if (failed.Count == 0) return new RelaunchOutcome.NothingFailed(run.State);

        var sets = await DynamicSetsAsync(run, failed, ct);
        var errors = new Dictionary<string, string[]>();
        for (var i = 0; i < failed.Count; i++)
        {
            var index = failed[i].Index;
            foreach (var key in sets[i].SecretKeys)
            {
                if (supplied.GetValueOrDefault(index)?.GetValueOrDefault(key) is { } value) sets[i].Values[key] = value;
                else errors[$"runtime-parameters[{index}].{key}"] = [$"'{key}' was a secret sent by the caller; it is not stored, so send it again."];
            }
        }
        if (errors.Count > 0) return new RelaunchOutcome.SecretsMissing(errors);

        var request = new LaunchRequest(run.UserId, run.UserRunId, run.SourceType, run.TargetType,
            sets.Select(s => (IReadOnlyDictionary<string, string>)s.Values).ToList()) { RelaunchOf = run.RunId };
        // Without an Idempotency-Key a relaunch is keyed by its original: repeating it answers the same new run.
        var keyed = caller with { IdempotencyKey = caller.IdempotencyKey ?? $"relaunch-of:{run.RunId}" };
        var result = await launcher.LaunchAsync(request, keyed, ct);
        return new RelaunchOutcome.Launched(OriginalIndexes(result, failed));
    }

    /// <summary>
    /// The caller's part of each stored set: keys the template does not set itself, and static keys the
    /// caller overrode (their value differs). Masked values of the caller's secrets are left out to be supplied.
    /// </summary>
    public async Task<List<DynamicSet>> DynamicSetsAsync(RunResource run, IReadOnlyList<InstanceResource> instances, CancellationToken ct)
    {
        var template = await templates.ResolveAsync(run.SourceType, run.TargetType, ct);
        var statics = template?.StaticParameters().ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal) ?? [];
        var declared = template?.SecretParameters ?? [];
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var callerSecrets = (await connection.QueryAsync<(int Ordinal, string[] Keys)>(new CommandDefinition(
            "SELECT ordinal, caller_secret_keys FROM streamsets.run_instance_now WHERE run_id = @RunId", new { run.RunId },
            cancellationToken: ct))).ToDictionary(r => r.Ordinal, r => r.Keys);
        return instances.Select(instance =>
        {
            var secrets = callerSecrets.GetValueOrDefault(instance.Index) ?? [];
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in instance.Parameters)
            {
                if (secrets.Contains(key, StringComparer.Ordinal)) continue;
                var isStatic = statics.TryGetValue(key, out var staticValue);
                var maskedStatic = isStatic && value == SecretMasker.Mask && SecretMasker.IsSecret(key, declared);
                if (!isStatic || (staticValue != value && !maskedStatic)) values[key] = value;
            }
            return new DynamicSet(values, secrets);
        }).ToList();
    }

    /// <summary>Parameter errors name the original instance's index, which is what the caller knows.</summary>
    private static LaunchResult OriginalIndexes(LaunchResult result, IReadOnlyList<InstanceResource> failed)
    {
        if (result is not LaunchResult.Failed { Refusal: LaunchRefusal.InvalidParameters invalid }) return result;
        var errors = invalid.Errors.ToDictionary(
            e => IndexPattern().Replace(e.Key, m => $"runtime-parameters[{failed[int.Parse(m.Groups[1].Value)].Index}]"), e => e.Value);
        return new LaunchResult.Failed(invalid with { Errors = errors });
    }

    [GeneratedRegex(@"^runtime-parameters\[(\d+)\]")]
    private static partial Regex IndexPattern();
}

internal sealed record DynamicSet(Dictionary<string, string> Values, IReadOnlyList<string> SecretKeys);

internal abstract record RelaunchOutcome
{
    public sealed record NothingFailed(string State) : RelaunchOutcome;

    public sealed record SecretsMissing(Dictionary<string, string[]> Errors) : RelaunchOutcome;

    public sealed record Launched(LaunchResult Result) : RelaunchOutcome;
}
