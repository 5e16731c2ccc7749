namespace FakeControlHub;

/// <summary>The fake's own control API: faults at run time, and its record of what it was asked.</summary>
public static class SimApi
{
    public static void MapSimApi(this IEndpointRouteBuilder app)
    {
        var sim = app.MapGroup("/_sim");
        sim.MapGet("/faults", (FaultSwitch faults) => faults.Current).WithName("simGetFaults");
        sim.MapPost("/faults", (FaultSettings settings, FaultSwitch faults) =>
        {
            faults.Set(settings);
            return faults.Current;
        }).WithName("simSetFaults");
        sim.MapDelete("/faults", (FaultSwitch faults) =>
        {
            faults.Clear();
            return faults.Current;
        }).WithName("simClearFaults");
        sim.MapGet("/stats", Stats).WithName("simStats");
        sim.MapGet("/jobs", (JobStore store) => store.Views()).WithName("simJobs");
        sim.MapPost("/reset", (JobStore store, CallStats stats, FaultSwitch faults) =>
        {
            store.Reset();
            stats.Reset();
            faults.Clear();
            return Results.NoContent();
        }).WithName("simReset");
    }

    /// <summary>Call counts per endpoint and outcome, job counts, and (unless creates=false) every create call.</summary>
    public static StatsView Stats(JobStore store, CallStats stats, FaultSwitch faults, bool? creates)
    {
        var (jobs, active, gone) = store.Counts();
        var records = store.Creates();
        return new StatsView(stats.CallsSnapshot(), stats.OutcomesSnapshot(), jobs, active, gone, records.Count,
            records.Count(r => r.JobIds.Length > 0), faults.Current, creates == false ? null : records);
    }
}
