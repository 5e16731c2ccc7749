namespace JobTemplateService.Tests;

public sealed partial class ControlHubSimulator
{
    /// <summary>Waits (briefly polling) until the simulator holds this many jobs, e.g. after a slow create call.</summary>
    public async Task WaitForJobsAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (jobs.Count < count && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.True(jobs.Count >= count, $"Control Hub holds {jobs.Count} job(s) after {timeout}; expected {count}.");
    }
}
