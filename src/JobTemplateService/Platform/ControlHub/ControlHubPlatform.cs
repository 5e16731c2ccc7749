using System.Net.Http;
using JobTemplateService.Instances;
using JobTemplateService.Templates;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;

namespace JobTemplateService.Platform.ControlHub;

/// <summary>Control Hub as a platform: job-template instances, polled with the bulk status call.</summary>
internal sealed partial class ControlHubPlatform(ControlHubClient client, ControlHubResilience resilience, ControlHubSite site,
    IOptions<ControlHubOptions> options, IOptions<LiveMetricsOptions> metrics, TimeProvider time) : IJobPlatform
{
    private static readonly HashSet<string> TerminalStatuses = ["INACTIVE", "INACTIVE_ERROR", "ACTIVATION_ERROR"];

    public string Name => PlatformNames.ControlHub;

    public bool IsConfigured => options.Value.IsConfigured;

    public bool IsRefusingCalls => resilience.IsOpen || site.IsUnknown;

    public bool HoldsLeaseWhileRunning => false;

    /// <summary>The tag every instance of a run carries, so an unclear start can be reconciled.</summary>
    public static string RunTag(Guid runId) => $"jts-run-{runId:N}";

    public async Task<IReadOnlyList<StartedJob>> StartAsync(StartRequest request, CancellationToken ct)
    {
        // Deletion is the service's job, after it has read the metrics: Control Hub would delete the job before.
        var info = new ChCreationInfo(request.NameSuffix, request.NameParameter,
            request.Instances.Select(i => i.Parameters).ToList(), AttachToTemplate: true, DeleteAfterCompletion: false,
            Name: null, Description: null, RawJobTags: [RunTag(request.RunId)]);
        List<ChJobStatus> statuses;
        try
        {
            statuses = await client.CreateAndStartJobInstancesAsync(request.PlatformTemplateId, info, ct);
        }
        catch (ControlHubException ex) when (ex.IsClientError)
        {
            throw new PlatformRejectedException(Name, ex.Code, ex.PlatformMessage);
        }
        catch (BrokenCircuitException ex)
        {
            throw new PlatformUnavailableException("Control Hub is failing; its circuit is open.", resilience.BreakDuration, ex);
        }
        catch (HttpRequestException ex) when (ex.HttpRequestError is HttpRequestError.ConnectionError
                                                  or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError)
        {
            throw new PlatformUnavailableException($"Control Hub could not be reached: {ex.Message}", TimeSpan.FromSeconds(10), ex);
        }

        // The answer holds job statuses (jobId); which job belongs to which instance is read from the jobs themselves.
        var jobIds = statuses.Select(s => s.JobId).ToList();
        if (jobIds.Count != request.Instances.Count || jobIds.Any(string.IsNullOrEmpty))
            throw Unclear($"Control Hub answered {jobIds.Count(id => !string.IsNullOrEmpty(id))} job ids for {request.Instances.Count} instances.");
        List<ChJobSummary> jobs;
        try
        {
            jobs = await client.GetJobsAsync(jobIds!, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            throw Unclear($"Control Hub created {jobIds.Count} job(s), but reading them back failed ({ex.Message}).", ex);
        }
        return LaunchPairing.Pair(request.Instances, jobs)
            ?? throw Unclear($"The {jobs.Count} job(s) Control Hub created could not be paired one to one with the {request.Instances.Count} instances by their parameters.");
    }

    public async Task<IReadOnlyDictionary<string, JobStatusReport>> GetStatusesAsync(IReadOnlyCollection<string> jobIds, CancellationToken ct)
    {
        var statuses = (await client.GetStatusesAsync(jobIds, ct)).Where(s => s.Value is not null).ToDictionary(s => s.Key, s => s.Value);
        return await WithCountsAsync(statuses.ToDictionary(s => s.Key, s => Report(s.Key, s.Value) with { Counts = Counts(s.Value) }), ct);
    }

    public async Task<IReadOnlyDictionary<string, JobDescription>> DescribeAsync(IReadOnlyCollection<string> jobIds, CancellationToken ct)
    {
        var jobs = await client.GetJobsAsync(jobIds, ct);
        return jobs.Where(j => !string.IsNullOrEmpty(j.Id))
            .GroupBy(j => j.Id).ToDictionary(g => g.Key, g => new JobDescription(g.Key, g.First().Name, g.First().PipelineId));
    }

    public async Task<JobResult> GetResultAsync(string jobId, CancellationToken ct)
    {
        var job = await NotFoundAware(jobId, () => client.GetJobAsync(jobId, ct));
        var history = await client.GetHistoryAsync(jobId, ct);
        var latest = history.FirstOrDefault() ?? job.CurrentJobStatus;
        var counts = await LatestRecordCountsAsync(jobId, ct);
        var status = latest?.Status ?? job.CurrentJobStatus?.Status;
        bool? succeeded = status is null || !TerminalStatuses.Contains(status) ? null : Report(jobId, latest!).Succeeded;
        return new JobResult(succeeded, string.IsNullOrEmpty(latest?.ErrorMessage) ? null : latest.ErrorMessage,
            ControlHubJson.FromEpochMilliseconds(latest?.StartTime), ControlHubJson.FromEpochMilliseconds(latest?.FinishTime),
            latest?.RunCount ?? counts?.RunCount, counts?.InputCount, counts?.OutputCount,
            counts is null ? null : (counts.ErrorCount ?? 0) + (counts.StageErrorsCount ?? 0),
            counts?.SdcId ?? latest?.SdcIds?.FirstOrDefault(), job.PipelineId, job.Name);
    }

    private async Task<ChRecordCounts?> LatestRecordCountsAsync(string jobId, CancellationToken ct)
    {
        Dictionary<string, ChRecordCounts> runs;
        try
        {
            runs = await client.GetRecordCountsAsync(jobId, ct);
        }
        catch (ControlHubException ex) when (ex.StatusCode == 404)
        {
            return null; // a job that never ran (ACTIVATION_ERROR) has no metrics
        }
        // Key "0" is the latest run (without runCount); otherwise take the highest run count.
        return runs.TryGetValue("0", out var latest) ? latest : runs.Values.MaxBy(r => r.RunCount ?? 0);
    }

    private static JobStatusReport Report(string jobId, ChJobStatus status)
    {
        var terminal = status.Status is { } s && TerminalStatuses.Contains(s);
        var succeeded = terminal && status.Status == "INACTIVE" && status.Color != "RED";
        return new JobStatusReport(jobId, terminal, succeeded, status.Status ?? "UNKNOWN",
            string.IsNullOrEmpty(status.ErrorMessage) ? null : status.ErrorMessage);
    }

    /// <summary>Not a refusal and not "nothing sent": the instances stay STARTING and are reconciled by their tag.</summary>
    private static InvalidOperationException Unclear(string message, Exception? inner = null) => new(message, inner);

    private static async Task<T> NotFoundAware<T>(string jobId, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (ControlHubException ex) when (ex.StatusCode == 404)
        {
            throw new PlatformJobNotFoundException(jobId);
        }
    }
}
