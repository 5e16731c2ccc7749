namespace JobTemplateService.Tests;

/// <summary>The lifecycle's states, sets and moves agree with each other.</summary>
public sealed class InstanceStatesTests
{
    [Fact]
    public void EveryStateIsLiveOrTerminalAndOnlyLiveStatesMove()
    {
        Assert.Equal(InstanceStates.All.Order(), InstanceStates.Live.Concat(InstanceStates.Terminal).Order());
        Assert.Equal(InstanceStates.Live.Order(), InstanceStates.Moves.Keys.Order());
        Assert.All(InstanceStates.Moves.Values.SelectMany(to => to), to => Assert.Contains(to, InstanceStates.All));
    }

    [Fact]
    public void EveryLiveStateCanFinish()
    {
        foreach (var state in InstanceStates.Live)
        {
            var reached = new HashSet<string> { state };
            var frontier = new Queue<string>([state]);
            while (frontier.TryDequeue(out var from))
            {
                foreach (var to in InstanceStates.Moves.GetValueOrDefault(from, []).Where(reached.Add)) frontier.Enqueue(to);
            }

            Assert.Contains(reached, InstanceStates.IsTerminal);
        }
    }

    [Fact]
    public void SetsTheWritesFenceOnAreMovesOfTheLifecycle()
    {
        Assert.Equal(InstanceStates.Live.Except([InstanceStates.Queued]), InstanceStates.Active);
        Assert.Equal(InstanceStates.Live.Except([InstanceStates.Running]), SqlList.Parse(InstanceStates.UnsettledSql));
        Assert.All(SqlList.Parse(InstanceStates.UnsentSql), from => Assert.True(InstanceStates.CanMove(from, InstanceStates.Canceled)));
        Assert.All(SqlList.Parse(InstanceStates.SentSql), from => Assert.True(InstanceStates.CanMove(from, InstanceStates.Canceled)));
        Assert.All(SqlList.Parse(InstanceStates.NotStartedSql), from =>
        {
            Assert.True(InstanceStates.CanMove(from, InstanceStates.StartFailed));
            Assert.True(InstanceStates.CanMove(from, InstanceStates.Canceled));
        });
    }

    [Fact]
    public void AMoveTheLifecycleDoesNotHaveIsRefusedBeforeAnythingIsWritten()
    {
        Assert.Throws<InvalidOperationException>(() => InstanceStates.EnsureMove(InstanceStates.Succeeded, InstanceStates.Running));
        Assert.Throws<InvalidOperationException>(() => InstanceStates.EnsureMove(InstanceStates.Queued, InstanceStates.Running));
        InstanceStates.EnsureMove(InstanceStates.Running, InstanceStates.TimedOut);
    }
}
