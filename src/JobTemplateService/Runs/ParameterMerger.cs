using JobTemplateService.Security;
using JobTemplateService.Templates;

namespace JobTemplateService.Runs;

/// <summary>One instance's merged parameters, with where each key came from.</summary>
internal sealed record MergedParameters(IReadOnlyDictionary<string, string> Values, IReadOnlyDictionary<string, string> Origins)
{
    public IReadOnlyDictionary<string, string> Masked(JobTemplate template) =>
        SecretMasker.MaskValues(Values, template.SecretParameters);

    /// <summary>The same, with the secret keys already known (<see cref="SecretKeys"/>).</summary>
    public IReadOnlyDictionary<string, string> Masked(IReadOnlySet<string> secretKeys) =>
        Values.ToDictionary(p => p.Key, p => secretKeys.Contains(p.Key) ? SecretMasker.Mask : p.Value, StringComparer.Ordinal);

    /// <summary>Secret keys whose values the caller sent: never stored, so they cannot be resent later.</summary>
    public string[] CallerSecretKeys(JobTemplate template) => CallerSecretKeys(SecretKeys(template));

    public string[] CallerSecretKeys(IReadOnlySet<string> secretKeys) =>
        Values.Keys.Where(k => secretKeys.Contains(k) && Origins[k].StartsWith(ParameterMerger.CallerOrigin, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToArray();

    /// <summary>Which of these keys are secret for the template (declared, or named like a secret).</summary>
    public IReadOnlySet<string> SecretKeys(JobTemplate template) =>
        Values.Keys.Where(k => SecretMasker.IsSecret(k, template.SecretParameters)).ToHashSet(StringComparer.Ordinal);
}

internal sealed record MergeResult(IReadOnlyList<MergedParameters> Instances, Dictionary<string, string[]> Errors, string? Detail)
{
    public bool Succeeded => Errors.Count == 0;
}

/// <summary>
/// The merged set is dynamic ∪ static, where static = the template's four jsonb columns. A caller
/// value for a static key is an error unless the template lists the key as overridable (the
/// original silently replaced it); a required dynamic parameter that is missing is an error.
/// A template with a parameter contract fills in its defaults and validates each instance
/// against it instead of checking required_parameters.
/// </summary>
internal static class ParameterMerger
{
    public const string CallerOrigin = "caller";
    public const string StaticOrigin = "static:";
    public const string DefaultOrigin = "default";

    public static MergeResult Merge(JobTemplate template, IReadOnlyList<IReadOnlyDictionary<string, string>> dynamicSets)
    {
        var statics = template.StaticParameters();
        var overridable = new HashSet<string>(template.OverridableParameters, StringComparer.Ordinal);
        var errors = new Dictionary<string, string[]>();
        var locked = new SortedSet<string>(StringComparer.Ordinal);
        var missing = new SortedSet<string>(StringComparer.Ordinal);
        var interpreted = new SortedSet<string>(StringComparer.Ordinal);
        var processBased = JobEnvironmentNames.IsProcessBased(template.Platform);
        var templateProblems = JobEnvironmentNames.TemplateProblems(template);
        foreach (var (key, problem) in templateProblems) errors[key] = problem;
        var instances = new List<MergedParameters>(dynamicSets.Count);
        var contract = ContractMerge.Load(template, errors);
        var broken = 0;

        for (var i = 0; i < dynamicSets.Count; i++)
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            var origins = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value, column) in statics)
            {
                values[key] = value;
                origins[key] = StaticOrigin + column;
            }
            foreach (var (key, value) in dynamicSets[i])
            {
                if (processBased && JobEnvironmentNames.RuntimeProblem(key, template.AllowedEnvironmentNames) is { } problem)
                {
                    interpreted.Add(key);
                    errors[$"runtime-parameters[{i}].{key}"] = [problem];
                    continue;
                }
                if (origins.TryGetValue(key, out var staticOrigin))
                {
                    if (!overridable.Contains(key))
                    {
                        locked.Add(key);
                        errors[$"runtime-parameters[{i}].{key}"] =
                            [$"'{key}' is set by the template ({staticOrigin["static:".Length..]}) and the template does not allow overriding it."];
                        continue;
                    }
                    origins[key] = $"{CallerOrigin} (overrides {staticOrigin})";
                }
                else
                {
                    origins[key] = CallerOrigin;
                }
                values[key] = value;
            }
            if (contract is not null)
            {
                broken += ContractMerge.Apply(contract, $"runtime-parameters[{i}]", values, origins, errors);
                instances.Add(new MergedParameters(values, origins));
                continue;
            }
            foreach (var required in template.RequiredParameters)
            {
                if (!dynamicSets[i].ContainsKey(required) && !values.ContainsKey(required))
                {
                    missing.Add(required);
                    errors[$"runtime-parameters[{i}].{required}"] = [$"'{required}' is required by the template."];
                }
            }
            instances.Add(new MergedParameters(values, origins));
        }

        var detail = new List<string>();
        if (locked.Count > 0) detail.Add($"Caller values for locked static keys: {string.Join(", ", locked)}.");
        if (missing.Count > 0) detail.Add($"Missing required parameters: {string.Join(", ", missing)}.");
        if (interpreted.Count > 0) detail.Add($"Names the job's runtime would interpret: {string.Join(", ", interpreted)}.");
        if (templateProblems.Count > 0)
            detail.Add($"The template's static parameters break the naming rule: {string.Join(", ", templateProblems.Keys.Order(StringComparer.Ordinal))}.");
        if (broken > 0) detail.Add($"{broken} parameter value(s) break the template's parameter contract.");
        if (detail.Count == 0 && errors.Count > 0) detail.Add("The template's parameter contract cannot be used.");
        return new MergeResult(instances, errors, detail.Count > 0 ? string.Join(" ", detail) : null);
    }

    /// <summary>
    /// Rebuilds the real values from a stored (masked) copy for a second launch attempt: masked
    /// template secrets come back from the template; caller secrets cannot, so null is returned.
    /// </summary>
    public static IReadOnlyDictionary<string, string>? Restore(
        JobTemplate template, IReadOnlyDictionary<string, string> stored, IReadOnlyCollection<string> callerSecretKeys)
    {
        if (callerSecretKeys.Count > 0) return null;
        var statics = template.StaticParameters().ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);
        var values = new Dictionary<string, string>(stored, StringComparer.Ordinal);
        foreach (var (key, value) in stored)
        {
            if (value == SecretMasker.Mask && SecretMasker.IsSecret(key, template.SecretParameters))
            {
                if (!statics.TryGetValue(key, out var real)) return null;
                values[key] = real;
            }
        }
        return values;
    }
}
