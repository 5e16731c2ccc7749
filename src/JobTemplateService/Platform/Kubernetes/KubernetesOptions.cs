namespace JobTemplateService.Platform.Kubernetes;

/// <summary>
/// platform.ini, section [kubernetes]: how to reach the cluster and the job specs templates may
/// name. Specs are written inline (NAME.image = …, NAME.command = ["…"]) or in the YAML file that
/// `jobs` points to; a request never chooses an image or a command.
/// </summary>
internal sealed class KubernetesOptions
{
    public const string Section = "kubernetes";

    /// <summary>A kubeconfig file; empty = the pod's own service account (in-cluster).</summary>
    public string? Kubeconfig { get; set; }

    public string? Context { get; set; }

    /// <summary>Namespace of every job spec that names none.</summary>
    public string Namespace { get; set; } = "default";

    /// <summary>A YAML file of job specs (name → spec), relative to the configuration directory.</summary>
    public string? Jobs { get; set; }

    public Dictionary<string, KubernetesJobSpec> Specs { get; } = new(StringComparer.Ordinal);

    /// <summary>Problems found while reading the specs, reported by the validator at start-up.</summary>
    public List<string> SpecProblems { get; } = [];

    public bool IsConfigured => Specs.Count > 0;

    public string NamespaceOf(KubernetesJobSpec spec) => string.IsNullOrWhiteSpace(spec.Namespace) ? Namespace : spec.Namespace;
}

/// <summary>How the service talks to the Kubernetes API (appsettings.json, section KubernetesClient).</summary>
internal sealed class KubernetesClientOptions
{
    public const string Section = "KubernetesClient";

    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(10);
    public TimeSpan WriteTimeout { get; set; } = TimeSpan.FromSeconds(30);
    public int ReadRetries { get; set; } = 3;
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);
    public double BreakerFailureRatio { get; set; } = 0.5;
    public int BreakerMinimumThroughput { get; set; } = 10;
    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);
    public TimeSpan BreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A pod that cannot start (image pull errors, unschedulable) for this long fails its instance.</summary>
    public TimeSpan PendingTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Items per page when listing a run's jobs.</summary>
    public int PageSize { get; set; } = 500;
}
