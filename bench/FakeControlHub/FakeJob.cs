using System.Text.Json;

namespace FakeControlHub;

/// <summary>
/// One job instance. Its life is fixed when it is created (duration, outcome, record counts);
/// stop and force-stop end it early; what it reports is computed from the clock on each call.
/// </summary>
public sealed class FakeJob
{
    public const string ForceStopMessage = "JOBRUNNER_64 - Force stopping job";
    private const long ActivationMs = 200;

    public required string Id { get; init; }
    public required string TemplateId { get; init; }
    public required string Name { get; init; }
    public required Dictionary<string, string> Parameters { get; init; }
    public required string[] Tags { get; init; }
    public required long CreateTime { get; init; }
    public required long DurationMs { get; init; }
    public required bool WillSucceed { get; init; }
    public required long InputCount { get; init; }
    public bool DeleteAfterCompletion { get; init; }
    public long? StoppedAt { get; set; }
    public bool ForceStopped { get; set; }
    public bool Deleted { get; set; }

    public long PlannedFinishTime => CreateTime + DurationMs;

    /// <summary>Status, colour, finish time (0 while running) and error message at a moment.</summary>
    public (string Status, string Color, long FinishTime, string? Error) At(long now)
    {
        var stoppedEarly = StoppedAt is { } stop && stop < PlannedFinishTime;
        var finish = stoppedEarly ? StoppedAt!.Value : PlannedFinishTime;
        if (now < finish) return now - CreateTime < ActivationMs ? ("ACTIVATING", "GREEN", 0, null) : ("ACTIVE", "GREEN", 0, null);
        if (stoppedEarly) return ForceStopped ? ("INACTIVE_ERROR", "RED", finish, ForceStopMessage) : ("INACTIVE", "GRAY", finish, null);
        return WillSucceed ? ("INACTIVE", "GRAY", finish, null) : ("INACTIVE_ERROR", "RED", finish, ForceStopMessage);
    }

    public bool IsFinished(long now) => At(now).FinishTime > 0;

    /// <summary>Deleted, or finished with deleteAfterCompletion (Control Hub removes those itself).</summary>
    public bool IsGone(long now) => Deleted || (DeleteAfterCompletion && IsFinished(now));

    public bool Succeeded(long now) => At(now) is { Status: "INACTIVE", Color: not "RED" };

    public long ErrorCount(long now) => WillSucceed || !IsFinished(now) ? 0 : Math.Max(1, InputCount / 20);

    /// <summary>Records read so far: proportional to progress while running.</summary>
    public long InputSoFar(long now)
    {
        var (_, _, finish, _) = At(now);
        if (finish > 0) return finish >= PlannedFinishTime ? InputCount : InputCount * (finish - CreateTime) / Math.Max(DurationMs, 1);
        return InputCount * Math.Clamp(now - CreateTime, 0, DurationMs) / Math.Max(DurationMs, 1);
    }

    public JobStatusJson Status(long now, string orgId)
    {
        var (status, color, finish, error) = At(now);
        var input = InputSoFar(now);
        var errors = ErrorCount(now);
        // The counts so far and when they were reported (sch_models.JobStatus fields, as the SDK's fixture has them).
        return new JobStatusJson($"{Id}-status-1", Id, "commit-1", 1, "service@" + orgId, CreateTime + ActivationMs, finish, error,
            color, status, [FakeIds.EngineId], [], [], input, input - errors, errors, finish > 0 ? finish : now);
    }

    public JobJson Json(long now, string orgId) => new(Id, Name, null, orgId, "service@" + orgId, CreateTime, Deleted,
        "Fake pipeline", FakeIds.PipelineId(orgId), "v1", ["fake"], Status(now, orgId), 1, JsonSerializer.Serialize(Parameters),
        false, TemplateId, Tags, Tags.Select(t => JobTagJson.For(t, orgId)).ToArray(), "COLLECTOR", DeleteAfterCompletion, false);

    /// <summary>The latest run's counts: key "0" carries no runCount, like the real service.</summary>
    public Dictionary<string, RecordCountsJson> RecordCounts(long now, string orgId)
    {
        var input = InputSoFar(now);
        var errors = ErrorCount(now);
        var stageErrors = errors > 0 ? 1 : 0;
        return new() { ["0"] = new(input, input - errors, errors - stageErrors, stageErrors, 0, 0, 0, 0, FakeIds.EngineId, "1", Id, orgId, now) };
    }

    public JobView View(long now)
    {
        var (status, color, finish, _) = At(now);
        var errors = ErrorCount(now);
        var input = InputSoFar(now);
        return new JobView(Id, TemplateId, Name, Tags, Parameters, CreateTime, PlannedFinishTime, status, color, finish,
            Succeeded(now), input, input - errors, errors, StoppedAt is not null && !ForceStopped, ForceStopped, IsGone(now));
    }
}

public static class FakeIds
{
    public const string EngineId = "e8d7a1c2-0b6f-11ee-9f2a-5b1f6c1d9e01";

    public static string PipelineId(string orgId) => "5f1c2d3e-aaaa-4bbb-8ccc-0123456789ab:" + orgId;
}
