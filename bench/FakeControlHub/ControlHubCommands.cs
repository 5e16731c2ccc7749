namespace FakeControlHub;

/// <summary>Stop, force-stop and delete, one job or many, and the job runner's API description.</summary>
public static partial class ControlHubApi
{
    private static IResult Stop(string id, bool force, JobStore store)
    {
        var now = store.Now;
        var delay = force ? 0 : store.StopDelayMs();
        var status = store.Change(id, job =>
        {
            StopAt(job, force, now + delay);
            return job.Status(now, store.Options.OrgId);
        });
        return status is null ? NotFound(id) : Results.Ok(status);
    }

    /// <summary>A JSON array of job ids; a job the fake does not have fails the whole call (nothing is stopped).</summary>
    private static IResult StopMany(string[] ids, bool force, JobStore store)
    {
        var now = store.Now;
        if (ids.FirstOrDefault(id => store.Find(id) is null) is { } unknown) return NotFound(unknown);
        foreach (var id in ids)
        {
            var delay = force ? 0 : store.StopDelayMs();
            store.Change(id, job => StopAt(job, force, now + delay));
        }
        return Results.Ok(ids.Select(id => new { jobId = id }).ToList());
    }

    /// <summary>The job stops at <paramref name="at"/> (now, or later when a stop drains first); a force-stop ends a pending stop at once.</summary>
    private static object StopAt(FakeJob job, bool force, long at)
    {
        if (!job.IsFinished(at))
        {
            job.StoppedAt = force && job.StoppedAt > at ? at : job.StoppedAt ?? at;
            job.ForceStopped |= force;
        }
        return job;
    }

    /// <summary>DELETE /v2/job/{id} (offered, as recent Control Hubs do) or /v1/job/{id}; an active job is refused.</summary>
    private static IResult Delete(int version, string id, JobStore store)
    {
        if (version is not (1 or 2)) return Results.NotFound();
        return DeleteOutcome(id, store) switch
        {
            null => NotFound(id),
            "active" => Active(id),
            _ => Results.Ok(),
        };
    }

    /// <summary>A JSON array of job ids; an unknown or active job fails the whole call (nothing is deleted).</summary>
    private static IResult DeleteMany(string[] ids, JobStore store)
    {
        var now = store.Now;
        if (ids.FirstOrDefault(id => store.Find(id) is null) is { } unknown) return NotFound(unknown);
        if (ids.FirstOrDefault(id => store.Find(id) is { } job && !job.IsFinished(now)) is { } active) return Active(active);
        foreach (var id in ids) DeleteOutcome(id, store);
        return Results.Ok();
    }

    private static string? DeleteOutcome(string id, JobStore store)
    {
        var now = store.Now;
        return store.Change(id, job =>
        {
            if (!job.IsFinished(now)) return "active";
            job.Deleted = true;
            return "deleted";
        });
    }

    /// <summary>A swagger 2.0 document; only its paths (relative to basePath) matter to the SDK's delete.</summary>
    private static IResult JobRunnerApi() => Results.Ok(new
    {
        swagger = "2.0",
        basePath = "/jobrunner/rest",
        paths = new Dictionary<string, object>
        {
            ["/v1/job/{jobId}"] = new { }, ["/v2/job/{jobId}"] = new { }, ["/v1/jobs/deleteJobs"] = new { },
            ["/v1/jobs/stopJobs"] = new { }, ["/v1/jobs/forceStopJobs"] = new { },
        },
    });

    private static IResult Active(string id) => Issues(400, "JOBRUNNER_03", $"Job '{id}' is active; stop it before deleting it");
}
