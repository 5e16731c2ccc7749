using JobTemplateService.Instances;
using Microsoft.AspNetCore.Mvc;

namespace JobTemplateService.Runs;

/// <summary>Query string of GET /v1/runs.</summary>
internal sealed record RunListQuery(
    [FromQuery(Name = "user-run-id")] string? UserRunId,
    [FromQuery(Name = "user-id")] string? UserId,
    [FromQuery(Name = "state")] string? State,
    [FromQuery(Name = "source-type")] string? SourceType,
    [FromQuery(Name = "target-type")] string? TargetType,
    [FromQuery(Name = "created-from")] DateTimeOffset? CreatedFrom,
    [FromQuery(Name = "created-to")] DateTimeOffset? CreatedTo,
    [FromQuery(Name = "limit")] int? Limit,
    [FromQuery(Name = "cursor")] string? Cursor)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    public Dictionary<string, string[]> Validate(out RunFilter? filter)
    {
        var errors = new Dictionary<string, string[]>();
        if (State is not null && !RunStates.All.Contains(State))
            errors["state"] = [$"Must be one of {string.Join(", ", RunStates.All)}."];
        if (Limit is < 1 or > MaxLimit)
            errors["limit"] = [$"Must be between 1 and {MaxLimit}."];
        Guid cursor = default;
        if (Cursor is not null && !Guid.TryParse(Cursor, out cursor))
            errors["cursor"] = ["Not a cursor this API returned."];
        filter = errors.Count > 0 ? null : new RunFilter(Blank(UserRunId), Blank(UserId), State, Blank(SourceType), Blank(TargetType),
            CreatedFrom?.UtcDateTime, CreatedTo?.UtcDateTime, Cursor is null ? null : cursor, Limit ?? DefaultLimit);
        return errors;
    }

    public string NextLink(Guid cursor)
    {
        var query = new List<string>();
        void Add(string name, string? value)
        {
            if (value is not null) query.Add($"{name}={Uri.EscapeDataString(value)}");
        }
        Add("user-run-id", UserRunId);
        Add("user-id", UserId);
        Add("state", State);
        Add("source-type", SourceType);
        Add("target-type", TargetType);
        Add("created-from", CreatedFrom?.ToString("O"));
        Add("created-to", CreatedTo?.ToString("O"));
        Add("limit", Limit?.ToString());
        Add("cursor", cursor.ToString());
        return "/v1/runs?" + string.Join("&", query);
    }

    private static string? Blank(string? value) => string.IsNullOrEmpty(value) ? null : value;
}

/// <summary>One page of runs; follow next (or pass next-cursor as cursor) for the following page.</summary>
public sealed record RunPage(IReadOnlyList<RunResource> Runs, string? NextCursor, string? Next);
