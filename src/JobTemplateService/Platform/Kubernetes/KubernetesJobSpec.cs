namespace JobTemplateService.Platform.Kubernetes;

/// <summary>
/// What runs for a kubernetes template, from platform.ini or the YAML file it names. Field names
/// follow the Kubernetes objects they end up in (container, Job spec).
/// </summary>
internal sealed class KubernetesJobSpec
{
    public string? Image { get; set; }
    public List<string> Command { get; set; } = [];
    public List<string> Args { get; set; } = [];
    public string? Namespace { get; set; }
    public string? ServiceAccount { get; set; }
    public KubernetesResources Resources { get; set; } = new();
    public long? ActiveDeadlineSeconds { get; set; }
    public int? BackoffLimit { get; set; }
    public int? TtlSecondsAfterFinished { get; set; }
}

internal sealed class KubernetesResources
{
    public Dictionary<string, string> Requests { get; set; } = new(StringComparer.Ordinal);
    public Dictionary<string, string> Limits { get; set; } = new(StringComparer.Ordinal);
}
