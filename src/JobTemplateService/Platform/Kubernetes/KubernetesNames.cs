namespace JobTemplateService.Platform.Kubernetes;

/// <summary>
/// Names and labels of what the service creates on Kubernetes. A Job's name comes from its
/// instance id alone, so a create repeated after an unclear answer meets the first one
/// (409 AlreadyExists) instead of making a twin.
/// </summary>
internal static class KubernetesNames
{
    public const string ManagedBy = "app.kubernetes.io/managed-by";
    public const string ManagedByValue = "jobtemplateservice";
    public const string RunLabel = "jobtemplateservice/run-id";
    public const string InstanceLabel = "jobtemplateservice/instance-id";
    public const string IndexLabel = "jobtemplateservice/instance-index";
    public const string SpecAnnotation = "jobtemplateservice/job-spec";
    public const string ContainerName = "job";

    /// <summary>"jts-" and 32 hex digits: a DNS-1123 label of 36 characters.</summary>
    public static string JobName(Guid instanceId) => $"jts-{instanceId:N}";

    public static string SecretName(string jobName) => $"{jobName}-params";

    /// <summary>The platform job id the service stores: namespace/name.</summary>
    public static string JobId(string ns, string name) => $"{ns}/{name}";

    public static (string Namespace, string Name) Parse(string jobId)
    {
        var slash = jobId.IndexOf('/');
        return slash > 0 ? (jobId[..slash], jobId[(slash + 1)..]) : throw new PlatformJobNotFoundException(jobId);
    }

    public static string RunSelector(Guid runId) => $"{RunLabel}={runId}";

    /// <summary>A set-based selector for these jobs' instances (names are jts-{instance id:N}).</summary>
    public static string InstancesSelector(IEnumerable<string> jobNames) =>
        $"{InstanceLabel} in ({string.Join(",", jobNames.Select(InstanceOf).Where(id => id is not null).Select(id => id!.Value.ToString()))})";

    public static Guid? InstanceOf(string jobName) =>
        jobName.StartsWith("jts-", StringComparison.Ordinal) && Guid.TryParseExact(jobName[4..], "N", out var id) ? id : null;

    public static string? Label(k8s.Models.V1ObjectMeta? metadata, string key) =>
        metadata?.Labels is { } labels && labels.TryGetValue(key, out var value) ? value : null;

    public static Dictionary<string, string> Labels(Guid runId, StartInstance instance) => new()
    {
        [ManagedBy] = ManagedByValue,
        [RunLabel] = runId.ToString(),
        [InstanceLabel] = instance.InstanceId.ToString(),
        [IndexLabel] = instance.Index.ToString(),
    };
}
