using System.Threading.Channels;

namespace JobTemplateService.Runs;

/// <summary>One open live-log stream: the lines it has not been sent yet, then the end.</summary>
internal sealed class LogWatcher : IDisposable
{
    // Bounded: a slow reader stops receiving until it catches up, and is sent the rest from After then.
    private readonly Channel<InstanceLogEvent> events = Channel.CreateBounded<InstanceLogEvent>(new BoundedChannelOptions(2_000) { SingleReader = true });
    private readonly LogTail owner;

    public LogWatcher(LogTail owner, Guid runId, Guid instanceId, long after)
    {
        this.owner = owner;
        RunId = runId;
        InstanceId = instanceId;
        After = after;
    }

    public Guid RunId { get; }

    public Guid InstanceId { get; }

    /// <summary>The last line number handed to this stream.</summary>
    public long After { get; private set; }

    public ChannelReader<InstanceLogEvent> Events => events.Reader;

    internal void Deliver(IReadOnlyList<InstanceLogEvent> lines, string? finalState)
    {
        foreach (var line in lines)
        {
            if (line.LineNo <= After) continue;
            if (!events.Writer.TryWrite(line)) return;
            After = line.LineNo;
        }
        if (finalState is not null && events.Writer.TryWrite(new InstanceLogEvent(After, "", DateTime.UtcNow, "", finalState)))
        {
            events.Writer.TryComplete();
            owner.Remove(this);
        }
    }

    public void Dispose()
    {
        owner.Remove(this);
        events.Writer.TryComplete();
    }
}

/// <summary>A line of an instance's log, or (EndState set) the end of a finished instance's log.</summary>
internal sealed record InstanceLogEvent(long LineNo, string Stream, DateTime LoggedAt, string Text, string? EndState);
