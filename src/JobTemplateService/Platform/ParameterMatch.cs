using JobTemplateService.Security;

namespace JobTemplateService.Platform;

/// <summary>
/// Whether a platform job carries an instance's parameters: every one of the instance's parameters
/// is on the job with the same value (the job may carry more, e.g. template defaults); a masked
/// secret only needs to be present. Used to adopt jobs after an unclear start and to pair a
/// launch answer with its instances.
/// </summary>
internal static class ParameterMatch
{
    public static bool Matches(IReadOnlyDictionary<string, string> instance, IReadOnlyDictionary<string, string> job)
    {
        foreach (var (name, wanted) in instance)
        {
            if (!job.TryGetValue(name, out var value) || (wanted != SecretMasker.Mask && wanted != value)) return false;
        }
        return true;
    }
}
