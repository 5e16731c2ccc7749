using System.Text.Json;
using JobTemplateService.Common;
using JobTemplateService.Runs;
using Microsoft.AspNetCore.Mvc;

namespace JobTemplateService.WebConsole;

/// <summary>A launch's result as the console shows it: the run it made, or the problem the API would have answered.</summary>
internal static class ConsoleResults
{
    public static (Guid? RunId, ProblemDetails? Problem) Of(LaunchResult result) => result switch
    {
        LaunchResult.Launched launched => (launched.Run.RunId, null),
        LaunchResult.Stored { Status: < 300 } stored => (RunId(stored.Body), null),
        LaunchResult.Stored stored => (null, JsonSerializer.Deserialize<ProblemDetails>(stored.Body, Json.Options)),
        LaunchResult.Failed failed => (null, LaunchProblems.For(failed.Refusal).ProblemDetails),
        _ => throw new InvalidOperationException(),
    };

    /// <summary>The parameter errors of a problem (errors keyed runtime-parameters[i].KEY), if it has any.</summary>
    public static IReadOnlyDictionary<string, string[]> Errors(ProblemDetails? problem)
    {
        if (problem is HttpValidationProblemDetails validation) return validation.Errors.AsReadOnly();
        if (problem?.Extensions.TryGetValue("errors", out var errors) != true) return new Dictionary<string, string[]>();
        return errors switch
        {
            IDictionary<string, string[]> typed => typed.AsReadOnly(),
            JsonElement json => json.Deserialize<Dictionary<string, string[]>>() ?? [],
            _ => new Dictionary<string, string[]>(),
        };
    }

    private static Guid? RunId(string body)
    {
        using var document = JsonDocument.Parse(body);
        return document.RootElement.TryGetProperty("run-id", out var id) && id.TryGetGuid(out var runId) ? runId : null;
    }
}
