namespace JobTemplateService.Common;

/// <summary>This process among the service's replicas: the owner recorded on every lease it takes.</summary>
internal sealed class ReplicaIdentity
{
    public Guid Id { get; } = Guid.CreateVersion7();
    public string HostName { get; } = Environment.MachineName;
    public int ProcessId { get; } = Environment.ProcessId;
}
