using JobTemplateService.Templates;

namespace JobTemplateService.Runs;

/// <summary>The contract's part of a merge: defaults first, then validation of what the instance will run with.</summary>
internal static class ContractMerge
{
    public const string ContractPath = "template.parameters";

    /// <summary>The template's contract, or null; a broken stored contract becomes an error of every launch.</summary>
    public static ParameterContract? Load(JobTemplate template, Dictionary<string, string[]> errors)
    {
        try
        {
            return ParameterContract.For(template);
        }
        catch (ContractException ex)
        {
            errors[ContractPath] = [$"The template's parameter contract is invalid; fix the template: {ex.Message}"];
            return null;
        }
    }

    /// <summary>
    /// Fills defaults of parameters the caller did not send (static keys stay static) and
    /// validates the caller's values, the defaults and the static values the contract describes.
    /// </summary>
    /// <returns>How many parameters break the contract.</returns>
    public static int Apply(ParameterContract contract, string path, Dictionary<string, string> values,
        Dictionary<string, string> origins, Dictionary<string, string[]> errors)
    {
        foreach (var (key, value) in contract.Defaults())
        {
            if (values.ContainsKey(key)) continue;
            values[key] = value;
            origins[key] = ParameterMerger.DefaultOrigin;
        }
        var checkedValues = values.Where(p => contract.Properties.ContainsKey(p.Key)
                || !origins[p.Key].StartsWith(ParameterMerger.StaticOrigin, StringComparison.Ordinal))
            .ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var broken = 0;
        foreach (var (at, messages) in contract.Validate(checkedValues, path))
        {
            // A locked static key already has its error; the contract's view of it adds nothing.
            if (errors.ContainsKey(at)) continue;
            errors[at] = [.. messages];
            broken++;
        }
        return broken;
    }
}
