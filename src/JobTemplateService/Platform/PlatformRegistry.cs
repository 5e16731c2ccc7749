namespace JobTemplateService.Platform;

internal sealed class PlatformRegistry(IEnumerable<IJobPlatform> platforms)
{
    private readonly Dictionary<string, IJobPlatform> byName = platforms.ToDictionary(p => p.Name, StringComparer.Ordinal);

    public IJobPlatform? Find(string name) =>
        byName.TryGetValue(name, out var platform) && platform.IsConfigured ? platform : null;

    public IEnumerable<IJobPlatform> Configured => byName.Values.Where(p => p.IsConfigured);
}
