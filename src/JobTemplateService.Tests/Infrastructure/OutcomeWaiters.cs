using System.Collections;
using System.Reflection;

namespace JobTemplateService.Tests;

/// <summary>
/// Whether an outcome request is parked in RunCompletionNotifier. A test that finishes a run "during
/// the wait" must first know the request is waiting; otherwise it could read the finished run at
/// once and the wake-up would go unproven. Reads the notifier's private waiter table.
/// </summary>
public static class OutcomeWaiters
{
    private static readonly FieldInfo Waiters = typeof(RunCompletionNotifier)
        .GetField("waiters", BindingFlags.Instance | BindingFlags.NonPublic)!;

    public static async Task WaitUntilWaitingAsync(this TestApp app, Guid runId, TimeSpan timeout)
    {
        var table = (IDictionary)Waiters.GetValue(app.Service<RunCompletionNotifier>())!;
        var deadline = DateTime.UtcNow + timeout;
        while (!table.Contains(runId) && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.True(table.Contains(runId), $"No outcome request was waiting for run {runId} after {timeout}.");
    }
}
