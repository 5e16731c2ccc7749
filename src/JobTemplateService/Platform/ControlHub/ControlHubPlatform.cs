using System.Net.Http;
using System.Text.Json;
using JobTemplateService.Templates;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;

namespace JobTemplateService.Platform.ControlHub;

/// <summary>Control Hub as a platform: job-template instances, polled with the bulk status call.</summary>
internal sealed class ControlHubPlatform(ControlHubClient client, ControlHubResilience resilience, IOptions<ControlHubOptions> options)
    : IJobPlatform
{
    private static readonly HashSet<string> TerminalStatuses = ["INACTIVE", "INACTIVE_ERROR", "ACTIVATION_ERROR"];

    public string Name => PlatformNames.ControlHub;

    public bool IsConfigured => options.Value.IsConfigured;

    public bool IsRefusingCalls => resilience.IsOpen;

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

        if (statuses.Count != request.Instances.Count || statuses.Any(s => string.IsNullOrEmpty(s.JobId)))
        {
            throw new InvalidOperationException(
                $"Control Hub answered {statuses.Count} job statuses for {request.Instances.Count} instances.");
        }
        // Control Hub answers one status per runtimeParametersList entry, in the same order.
        return request.Instances.Select((instance, i) => new StartedJob(instance.InstanceId, statuses[i].JobId!, null)).ToList();
    }

    public async Task<IReadOnlyDictionary<string, JobStatusReport>> GetStatusesAsync(IReadOnlyCollection<string> jobIds, CancellationToken ct)
    {
        var statuses = await client.GetStatusesAsync(jobIds, ct);
        return statuses.Where(s => s.Value is not null).ToDictionary(s => s.Key, s => Report(s.Key, s.Value));
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

    public async Task<IReadOnlyList<FoundJob>?> FindRunJobsAsync(string platformTemplateId, Guid runId, CancellationToken ct)
    {
        var tag = RunTag(runId);
        var jobs = await client.FindJobsAsync(platformTemplateId, tag, ct);
        return jobs
            .Where(j => j.RawJobTags?.Contains(tag) == true && (j.TemplateJobId is null || j.TemplateJobId == platformTemplateId))
            .Select(j => new FoundJob(j.Id, j.Name, ParseParameters(j.RuntimeParameters), j.CreateTime ?? 0))
            .ToList();
    }

    public Task StopAsync(string jobId, bool force, CancellationToken ct) =>
        NotFoundAware(jobId, async () => { await client.StopAsync(jobId, force, ct); return true; });

    public async Task DeleteAsync(string jobId, CancellationToken ct)
    {
        try
        {
            await client.DeleteAsync(jobId, ct);
        }
        catch (ControlHubException ex) when (ex.StatusCode == 404)
        {
            // Already gone: the goal of the call is met.
        }
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

    private static IReadOnlyDictionary<string, string> ParseParameters(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return new Dictionary<string, string>();
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => JobTemplate.ScalarText(p.Value));
        }
        catch (JsonException)
        {
            return new Dictionary<string, string>();
        }
    }

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
