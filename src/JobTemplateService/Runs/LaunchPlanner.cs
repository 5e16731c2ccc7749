using Dapper;
using JobTemplateService.Catalog;
using JobTemplateService.Instances;
using JobTemplateService.Platform;
using JobTemplateService.Security;
using JobTemplateService.Templates;
using Npgsql;

namespace JobTemplateService.Runs;

/// <summary>
/// A dry run of a launch: the template chosen and why, each merged parameter set with the origin
/// of every key (secrets masked), whether instances would start or queue, and every problem the
/// real launch would hit. Writes nothing and calls no platform.
/// </summary>
internal sealed class LaunchPlanner(TemplateRepository templates, LaunchRepository launches, PlatformRegistry platforms,
    NpgsqlDataSource dataSource, ServiceKeys keys, TemplateDriftCheck drift)
{
    public async Task<PlannedLaunch> PlanAsync(LaunchRequest request, LaunchCaller caller, CancellationToken ct)
    {
        var refusals = new List<LaunchRefusal>();
        var template = await templates.ResolveAsync(request.SourceType, request.TargetType, ct);
        if (template is null)
        {
            return new PlannedLaunch(null, null, [], [new LaunchRefusal.NoTemplate(request.SourceType, request.TargetType)], null);
        }
        if (LaunchRefusal.ForTemplate(template, caller) is { } refusal) return new PlannedLaunch(null, null, [], [refusal], null);

        var merge = ParameterMerger.Merge(template, request.RuntimeParameters);
        if (!merge.Succeeded) refusals.Add(new LaunchRefusal.InvalidParameters(merge.Errors, merge.Detail!));

        var platform = platforms.Find(template.Platform);
        if (platform is null) refusals.Add(new LaunchRefusal.PlatformNotConfigured(template.Platform));
        else if (platform.IsRefusingCalls) refusals.Add(new LaunchRefusal.PlatformUnavailable(template.Platform));

        var key = caller.IdempotencyKey is { } header ? "header:" + header : request.NaturalKey();
        var existing = await launches.FindRequestAsync(caller.Scope, key, TimeSpan.FromDays(36_500), ct);
        var same = existing is not null && request.HasFingerprint(existing.Fingerprint, await keys.FingerprintKeyAsync(ct));
        if (existing is not null && !same) refusals.Add(new LaunchRefusal.IdempotencyMismatch(existing.KeyKind));

        var capacity = await CapacityAsync(template, ct);
        var instances = merge.Instances.Select((m, i) => new PlannedInstance(i,
            m.Values.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(p => p.Key, p =>
            {
                var secret = SecretMasker.IsSecret(p.Key, template.SecretParameters);
                return new PlannedParameter(secret ? SecretMasker.Mask : p.Value, m.Origins[p.Key], secret);
            }),
            i < capacity ? "start" : "queue")).ToList();
        var reason = $"ingestion_pattern '{template.PatternName}' (id {template.IngestionPatternId}) maps source '{template.Source}' " +
                     $"to destination '{template.Destination}'; its template is job_template {template.JobTemplateId} " +
                     $"({template.Platform} template '{template.SchJobTemplateId}').";
        return new PlannedLaunch(PlanTemplate.From(template), reason, instances, refusals, same ? existing!.RunId : null)
        {
            Warnings = platform is { IsRefusingCalls: false } ? await drift.WarningsAsync(template, ct) : [],
        };
    }

    private async Task<int> CapacityAsync(JobTemplate template, CancellationToken ct)
    {
        if (template.MaxConcurrentInstances is null) return int.MaxValue;
        const string sql = $"""
            SELECT count(*) FILTER (WHERE state IN {InstanceStates.ActiveSql}) AS active,
                   count(*) FILTER (WHERE state = 'QUEUED') AS queued
              FROM streamsets.run_instance_now WHERE job_template_id = @JobTemplateId AND state IN {InstanceStates.LiveSql}
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var load = await connection.QuerySingleAsync<(long Active, long Queued)>(new CommandDefinition(sql, new { template.JobTemplateId }, cancellationToken: ct));
        return load.Queued > 0 ? 0 : Math.Max(template.MaxConcurrentInstances.Value - (int)load.Active, 0);
    }
}

/// <summary>What a launch would do, and every refusal it would meet (none: it would be accepted).</summary>
internal sealed record PlannedLaunch(PlanTemplate? Template, string? Reason, IReadOnlyList<PlannedInstance> Instances,
    IReadOnlyList<LaunchRefusal> Refusals, Guid? ExistingRunId)
{
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>The result of POST /v1/runs/plan. can-launch is true when the launch would be accepted.</summary>
public sealed record LaunchPlan(bool CanLaunch, PlanTemplate? Template, string? Reason, IReadOnlyList<PlannedInstance> Instances,
    IReadOnlyList<PlanProblem> Problems, Guid? ExistingRunId)
{
    /// <summary>Drift between the template and its platform template: worth a look, not a reason to refuse.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>The template a launch would use: max-wait null is none (a streaming template without one); the success criteria it is held to.</summary>
public sealed record PlanTemplate(string PatternName, int JobTemplateId, string Platform, string PlatformTemplateId,
    string InstanceNameSuffix, TimeSpan? MaxWait, int? MaxConcurrentInstances, string Kind, SuccessCriteria SuccessCriteria,
    TimeSpan? StallAfter, string StallAction)
{
    internal static PlanTemplate From(JobTemplate t) =>
        new(t.PatternName, t.JobTemplateId, t.Platform, t.SchJobTemplateId, t.InstanceNameSuffix, t.MaxWait, t.MaxConcurrentInstances,
            t.Kind, t.Criteria, t.StallAfter, t.StallAction);
}

/// <summary>One instance: every parameter with its value (masked when secret) and where it came from; start or queue.</summary>
public sealed record PlannedInstance(int Index, IReadOnlyDictionary<string, PlannedParameter> Parameters, string Admission);

public sealed record PlannedParameter(string Value, string Origin, bool Secret);

public sealed record PlanProblem(int Status, string Type, string Title, string Detail, IDictionary<string, string[]>? Errors);
