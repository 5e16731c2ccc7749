using Dapper;
using Npgsql;

namespace JobTemplateService;

/// <summary>
/// A dry run of a launch: the template chosen and why, each merged parameter set with the origin
/// of every key (secrets masked), whether instances would start or queue, and every problem the
/// real launch would hit. Writes nothing and calls no platform.
/// </summary>
internal sealed class LaunchPlanner(TemplateRepository templates, LaunchRepository launches, PlatformRegistry platforms,
    NpgsqlDataSource dataSource, TemplateDriftCheck drift)
{
    public async Task<LaunchPlan> PlanAsync(LaunchRequest request, LaunchCaller caller, CancellationToken ct)
    {
        var problems = new List<PlanProblem>();
        var template = await templates.ResolveAsync(request.SourceType, request.TargetType, ct);
        if (template is null)
        {
            var noTemplate = Problems.NoTemplate(request.SourceType, request.TargetType).ProblemDetails;
            problems.Add(new PlanProblem(422, noTemplate.Type!, noTemplate.Title!, noTemplate.Detail!, null));
            return new LaunchPlan(false, null, null, [], problems, null);
        }
        if (TemplateAccess.Refusal(template, caller.Templates) is { } refusal)
            return new LaunchPlan(false, null, null, [], [], null) { Refusal = refusal.Problem };

        var merge = ParameterMerger.Merge(template, request.RuntimeParameters);
        if (!merge.Succeeded)
            problems.Add(new PlanProblem(422, Problems.TypePrefix + "parameters", "The runtime parameters do not fit the template.",
                merge.Detail!, merge.Errors));

        var platform = platforms.Find(template.Platform);
        if (platform is null)
            problems.Add(new PlanProblem(503, Problems.TypePrefix + "platform-not-configured", "The template's platform is not configured.",
                $"The template runs on '{template.Platform}', which this service has no configuration for.", null));
        else if (platform.IsRefusingCalls)
            problems.Add(new PlanProblem(503, Problems.TypePrefix + "platform-unavailable", "The platform is unavailable.",
                $"{template.Platform} is failing; a launch now would be refused.", null));

        var key = caller.IdempotencyKey is { } header ? "header:" + header : request.NaturalKey();
        var existing = await launches.FindRequestAsync(caller.Scope, key, TimeSpan.FromDays(36_500), ct);
        if (existing is not null && existing.Fingerprint != request.Fingerprint())
        {
            var mismatch = Problems.IdempotencyMismatch(existing.KeyKind).ProblemDetails;
            problems.Add(new PlanProblem(422, mismatch.Type!, mismatch.Title!, mismatch.Detail!, null));
        }

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
        return new LaunchPlan(problems.Count == 0, PlanTemplate.From(template), reason, instances, problems,
            existing?.Fingerprint == request.Fingerprint() ? existing.RunId : null)
        {
            Warnings = platform is { IsRefusingCalls: false } ? await drift.WarningsAsync(template, ct) : [],
        };
    }

    private async Task<int> CapacityAsync(JobTemplate template, CancellationToken ct)
    {
        if (template.MaxConcurrentInstances is null) return int.MaxValue;
        const string sql = """
            SELECT count(*) FILTER (WHERE state IN ('PENDING', 'STARTING', 'RUNNING')) AS active,
                   count(*) FILTER (WHERE state = 'QUEUED') AS queued
              FROM streamsets.run_instance WHERE job_template_id = @JobTemplateId AND state IN ('QUEUED', 'PENDING', 'STARTING', 'RUNNING')
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var load = await connection.QuerySingleAsync<(long Active, long Queued)>(new CommandDefinition(sql, new { template.JobTemplateId }, cancellationToken: ct));
        return load.Queued > 0 ? 0 : Math.Max(template.MaxConcurrentInstances.Value - (int)load.Active, 0);
    }
}

/// <summary>The result of POST /v1/runs/plan. can-launch is true when the launch would be accepted.</summary>
public sealed record LaunchPlan(bool CanLaunch, PlanTemplate? Template, string? Reason, IReadOnlyList<PlannedInstance> Instances,
    IReadOnlyList<PlanProblem> Problems, Guid? ExistingRunId)
{
    /// <summary>Drift between the template and its platform template: worth a look, not a reason to refuse.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>A template this caller may not plan at all (forbidden, disabled): answered instead of a plan.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    internal Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult? Refusal { get; init; }
}

public sealed record PlanTemplate(string PatternName, int JobTemplateId, string Platform, string PlatformTemplateId,
    string InstanceNameSuffix, TimeSpan MaxWait, int? MaxConcurrentInstances)
{
    internal static PlanTemplate From(JobTemplate t) =>
        new(t.PatternName, t.JobTemplateId, t.Platform, t.SchJobTemplateId, t.InstanceNameSuffix, t.MaxWait, t.MaxConcurrentInstances);
}

/// <summary>One instance: every parameter with its value (masked when secret) and where it came from; start or queue.</summary>
public sealed record PlannedInstance(int Index, IReadOnlyDictionary<string, PlannedParameter> Parameters, string Admission);

public sealed record PlannedParameter(string Value, string Origin, bool Secret);

public sealed record PlanProblem(int Status, string Type, string Title, string Detail, IDictionary<string, string[]>? Errors);
