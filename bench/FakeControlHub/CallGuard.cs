namespace FakeControlHub;

/// <summary>
/// Runs before every Control Hub call: counts it, checks the SDK's headers (401 otherwise): the
/// credential pair, the organization, the CSRF pair and content-type: application/json, which the
/// SDK sends on bodiless calls too (sch_api REQUIRED_HEADERS); adds
/// the configured latency, then applies the faults in force (503, or a hang past the client's timeout).
/// </summary>
public sealed class CallGuard(FakeOptions options, FaultSwitch faults, CallStats stats, JobStore store)
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var name = http.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? "unknown";
        stats.Call(name);
        if (!Authorized(http.Request.Headers))
        {
            stats.Outcome(name, "401");
            return ControlHubApi.Issues(401, "SECURITY_01", "Missing or invalid API credentials");
        }

        var f = faults.Current;
        var applies = f.AppliesTo(name);
        var delay = options.Latency + options.EndpointLatency.GetValueOrDefault(name) + TimeSpan.FromMilliseconds(applies ? f.DelayMs : 0);
        // The platform does not notice a client that hangs up: a slow call still goes through.
        if (delay > TimeSpan.Zero) await Task.Delay(delay);

        var draw = applies && (f.Status503Rate > 0 || f.TimeoutRate > 0) ? store.Draw() : 1.0;
        if (draw < f.Status503Rate)
        {
            Refused(context, name, "503");
            return Results.Json(new { message = "Service Unavailable" }, statusCode: 503);
        }
        if (draw < f.Status503Rate + f.TimeoutRate)
        {
            Refused(context, name, "timeout");
            await HangAsync(f.HangMs, http.RequestAborted);
            return Results.Json(new { message = "Gateway Timeout" }, statusCode: 503);
        }

        var result = await next(context);
        stats.Outcome(name, (result as IStatusCodeHttpResult)?.StatusCode?.ToString() ?? "200");
        return result;
    }

    /// <summary>Waits, or stops early when the client hangs up; true when the whole time passed.</summary>
    public static async Task<bool> HangAsync(int milliseconds, CancellationToken aborted)
    {
        try
        {
            await Task.Delay(milliseconds, aborted);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>A create call refused by a fault is still on record, with no jobs.</summary>
    private void Refused(EndpointFilterInvocationContext context, string name, string outcome)
    {
        stats.Outcome(name, outcome);
        if (name == Endpoints.Create && context.Arguments.OfType<CreationInfo>().FirstOrDefault() is { } info)
            store.RecordCreate(context.Arguments.OfType<string>().First(), info, [], outcome);
    }

    private bool Authorized(IHeaderDictionary headers) =>
        headers["X-SS-App-Component-Id"] == options.CredId && headers["X-SS-App-Auth-Token"] == options.CredToken
        && headers["X-SS-Org-Id"] == options.OrgId
        && headers.ContentType.ToString().StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
        && !string.IsNullOrWhiteSpace(headers["X-Requested-By"]) && string.Equals(headers["X-SS-REST-CALL"], "true", StringComparison.OrdinalIgnoreCase);
}
