using System.Text.Json.Nodes;

namespace JobTemplateService.Tests;

public sealed record CreateCall(string TemplateId, JsonObject Body);

/// <summary>How the simulator answers a create call.</summary>
public sealed record CreateAnswer(int Status, bool CreateJobs, string? IssueCode = null, string? IssueMessage = null, TimeSpan Delay = default,
    bool Reversed = false, bool AnswerLost = false, bool DropLastItem = false)
{
    public static readonly CreateAnswer Ok = new(200, true);

    public static CreateAnswer Rejected(string code, string message, int status = 400) => new(status, false, code, message);

    /// <summary>Creates the jobs but answers 500: the caller cannot know they exist.</summary>
    public static CreateAnswer ServerErrorAfterCreating() => new(500, true);

    public static CreateAnswer ServerErrorWithoutCreating() => new(500, false);

    public static CreateAnswer SlowAfterCreating(TimeSpan delay) => new(200, true, Delay: delay);

    /// <summary>Creates the jobs and answers their statuses in the reverse order of the request's parameter sets.</summary>
    public static CreateAnswer OkInReverseOrder() => new(200, true, Reversed: true);

    /// <summary>Creates the jobs but leaves the last one out of the answer.</summary>
    public static CreateAnswer OkWithoutLastItem() => new(200, true, DropLastItem: true);

    /// <summary>Creates the jobs, then the connection drops in the middle of the answer.</summary>
    public static CreateAnswer LostAfterCreating() => new(200, true, AnswerLost: true);
}
