namespace JobTemplateService.Platform.ControlHub;

/// <summary>Finding a run's jobs by its tag, and stopping and deleting jobs in bulk, as the SDK does.</summary>
internal sealed partial class ControlHubPlatform
{
    private const int PageLength = 250; // the SDK's page (sch_models.CollectionModel.PAGE_LENGTH)
    private const int MaxPages = 1000;
    private volatile int deleteApiVersion;

    public async Task<IReadOnlyList<FoundJob>?> FindRunJobsAsync(string platformTemplateId, Guid runId, CancellationToken ct)
    {
        var tag = RunTag(runId);
        var tagId = $"{tag}:{site.Organization}";
        var jobs = new Dictionary<string, ChJob>();
        for (int offset = 0, page = 0; ; page++)
        {
            // A partial list would make the reconciler start found-missing instances again: fail instead.
            if (page == MaxPages) throw new InvalidOperationException($"Control Hub lists more than {MaxPages * PageLength} jobs tagged {tag}.");
            var answer = await client.SearchJobsAsync(tagId, offset, PageLength, ct);
            var data = answer.Data ?? [];
            foreach (var job in data.Where(j => !string.IsNullOrEmpty(j.Id))) jobs.TryAdd(job.Id, job);
            offset += data.Count;
            if (data.Count == 0 || answer.TotalCount is not { } total || offset >= total) break;
        }
        // templateJobId is filtered here: the SDK's search does not send it.
        return jobs.Values
            .Where(j => Carries(j, tag, tagId) && (j.TemplateJobId is null || j.TemplateJobId == platformTemplateId))
            .Select(j => new FoundJob(j.Id, j.Name, ControlHubJson.Parameters(j.RuntimeParameters), j.CreateTime ?? 0))
            .ToList();
    }

    public async Task StopAsync(IReadOnlyCollection<string> jobIds, bool force, CancellationToken ct)
    {
        if (jobIds.Count == 0) return;
        try
        {
            await client.StopJobsAsync(jobIds, force, ct);
        }
        catch (ControlHubException ex) when (ex.IsClientError)
        {
            // One job Control Hub no longer has (or refuses) fails the whole call; one by one, a 404 means gone already.
            await EachAsync(jobIds, id => client.StopJobAsync(id, force, ct));
        }
    }

    public async Task DeleteAsync(IReadOnlyCollection<string> jobIds, CancellationToken ct)
    {
        if (jobIds.Count == 0) return;
        if (jobIds.Count > 1)
        {
            try
            {
                await client.DeleteJobsAsync(jobIds, ct);
                return;
            }
            catch (ControlHubException ex) when (ex.IsClientError)
            {
                // As for stop: one by one, so that jobs already gone count as deleted and the others are named.
            }
        }
        var version = await DeleteApiVersionAsync(ct);
        await EachAsync(jobIds, id => client.DeleteJobAsync(id, version, ct));
    }

    private static bool Carries(ChJob job, string tag, string tagId) =>
        job.JobTags?.Any(t => t.Id == tagId || t.Tag == tag) == true || job.RawJobTags?.Contains(tag) == true;

    /// <summary>2 when the job runner's API description offers DELETE /v2/job/{jobId} (read once), else 1.</summary>
    private async Task<int> DeleteApiVersionAsync(CancellationToken ct)
    {
        if (deleteApiVersion != 0) return deleteApiVersion;
        try
        {
            var api = await client.GetJobRunnerApiAsync(ct);
            return deleteApiVersion = api.Paths?.ContainsKey("/v2/job/{jobId}") == true ? 2 : 1;
        }
        catch (Exception ex) when (ex is ControlHubException { IsClientError: true } or System.Text.Json.JsonException)
        {
            return deleteApiVersion = 1;
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            return 1; // as the SDK does when the description cannot be read; asked again next time
        }
    }

    /// <summary>Calls every job; 404 counts as done; other refusals are thrown after all were tried.</summary>
    private static async Task EachAsync(IEnumerable<string> jobIds, Func<string, Task> call)
    {
        var failures = new List<Exception>();
        foreach (var id in jobIds)
        {
            try
            {
                await call(id);
            }
            catch (ControlHubException ex) when (ex.StatusCode == 404)
            {
            }
            catch (ControlHubException ex)
            {
                failures.Add(ex);
            }
        }
        if (failures.Count == 1) throw failures[0];
        if (failures.Count > 1) throw new AggregateException(failures);
    }
}
