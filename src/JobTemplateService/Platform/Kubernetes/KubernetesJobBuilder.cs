using k8s.Models;

namespace JobTemplateService.Platform.Kubernetes;

/// <summary>
/// The Job (and its Secret) for one instance: the spec's image and command, the merged parameters
/// as environment variables, secret parameters only by reference to a Secret the Job owns.
/// </summary>
internal static class KubernetesJobBuilder
{
    public static V1Job Job(KubernetesJobSpec spec, string ns, string specName, Guid runId, StartInstance instance,
        IReadOnlyCollection<string> secretKeys)
    {
        var name = KubernetesNames.JobName(instance.InstanceId);
        var labels = KubernetesNames.Labels(runId, instance);
        var environment = instance.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => secretKeys.Contains(p.Key)
                ? new V1EnvVar
                {
                    Name = p.Key,
                    ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Key = p.Key, Name = KubernetesNames.SecretName(name) } },
                }
                : Env(p.Key, p.Value))
            .Append(Env("JTS_RUN_ID", runId.ToString()))
            .Append(Env("JTS_INSTANCE_ID", instance.InstanceId.ToString()))
            .Append(Env("JTS_INSTANCE_INDEX", instance.Index.ToString()))
            .ToList();
        var container = new V1Container
        {
            Name = KubernetesNames.ContainerName,
            Image = spec.Image,
            Command = spec.Command.Count > 0 ? spec.Command : null,
            Args = spec.Args.Count > 0 ? spec.Args : null,
            Env = environment,
            Resources = new V1ResourceRequirements
            {
                Requests = Quantities(spec.Resources.Requests),
                Limits = Quantities(spec.Resources.Limits),
            },
            // The counts line goes to /dev/termination-log; a failing container's log tail stands in for it.
            TerminationMessagePolicy = "FallbackToLogsOnError",
        };
        return new V1Job
        {
            ApiVersion = "batch/v1",
            Kind = "Job",
            Metadata = new V1ObjectMeta
            {
                Name = name, NamespaceProperty = ns, Labels = labels,
                Annotations = new Dictionary<string, string> { [KubernetesNames.SpecAnnotation] = specName },
            },
            Spec = new V1JobSpec
            {
                BackoffLimit = spec.BackoffLimit ?? 0,
                ActiveDeadlineSeconds = spec.ActiveDeadlineSeconds,
                TtlSecondsAfterFinished = spec.TtlSecondsAfterFinished,
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels },
                    Spec = new V1PodSpec
                    {
                        RestartPolicy = "Never",
                        ServiceAccountName = spec.ServiceAccount,
                        AutomountServiceAccountToken = spec.ServiceAccount is not null,
                        Containers = [container],
                    },
                },
            },
        };
    }

    /// <summary>The instance's secret values, owned by its Job so Kubernetes deletes them together.</summary>
    public static V1Secret Secret(V1Job job, IReadOnlyDictionary<string, string> values) => new()
    {
        ApiVersion = "v1",
        Kind = "Secret",
        Type = "Opaque",
        Metadata = new V1ObjectMeta
        {
            Name = KubernetesNames.SecretName(job.Metadata.Name),
            NamespaceProperty = job.Metadata.NamespaceProperty,
            Labels = job.Metadata.Labels,
            OwnerReferences = [new V1OwnerReference { ApiVersion = "batch/v1", Kind = "Job", Name = job.Metadata.Name, Uid = job.Metadata.Uid }],
        },
        StringData = values.ToDictionary(p => p.Key, p => p.Value),
    };

    private static V1EnvVar Env(string name, string value) => new() { Name = name, Value = value };

    private static Dictionary<string, ResourceQuantity>? Quantities(Dictionary<string, string> values) =>
        values.Count == 0 ? null : values.ToDictionary(p => p.Key, p => new ResourceQuantity(p.Value));
}
