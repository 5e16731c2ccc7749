using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace JobTemplateService.Tests;

/// <summary>
/// Local-platform runs for tests: a named command, a local template mapped to local → out, a
/// launch, and waiting for the replica itself to record the process's end (no monitor pass needed).
/// </summary>
public static class LocalJobs
{
    public const string Source = "local";
    public const string Target = "out";

    /// <summary>A [local] command of platform.ini, and a private working directory for the processes.</summary>
    public static Action<Dictionary<string, string?>> Command(string name, string command,
        Action<Dictionary<string, string?>>? more = null) => settings =>
    {
        settings[$"local:{name}"] = command;
        settings["LocalPlatform:WorkingDirectory"] = WorkingDirectory;
        more?.Invoke(settings);
    };

    /// <summary>Shared by every test's jobs, which run as another user when the tests run as root: world-writable, sticky, like /tmp.</summary>
    public static string WorkingDirectory { get; } = SharedDirectory();

    private static string SharedDirectory()
    {
        var directory = TestFolders.Create("local-jobs");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(directory, (UnixFileMode)Convert.ToInt32("1777", 8));
        return directory;
    }

    /// <summary>The rule local → out and a template running the named command; extra columns as in Seed.TemplateAsync.</summary>
    public static Task LocalTemplateAsync(this TestDatabase database, string command, string sourceParameters = "{}",
        string extraColumns = "", string extraValues = "") =>
        database.TemplateAsync(Source, Target, templateId: command, sourceParameters: sourceParameters,
            extraColumns: ", platform" + extraColumns, extraValues: ", 'local'" + extraValues);

    /// <summary>A launch body for the local rule, one instance per parameter set (one empty set when none are given).</summary>
    public static JsonObject Body(string userRunId = "local-1", params JsonObject[] sets) =>
        LaunchBodies.Body(userRunId, source: Source, target: Target, sets: sets.Length == 0 ? [new JsonObject()] : sets);

    /// <summary>Polls the run until it is terminal; fails the test with the last state seen when it is not in time.</summary>
    public static async Task<RunResource> WaitForRunAsync(this TestApp app, Guid runId, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var run = await app.GetRunAsync(runId);
            if (RunStates.IsTerminal(run.State)) return run;
            Assert.True(clock.Elapsed < (timeout ?? TimeSpan.FromSeconds(30)),
                $"Run {runId} still {run.State} after {clock.Elapsed.TotalSeconds:0.#} s: " +
                string.Join(", ", run.Instances.Select(i => $"{i.Index}={i.State}")));
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>One page of an instance's log as JSON.</summary>
    public static async Task<InstanceLog> ReadLogAsync(this TestApp app, Guid runId, string instance = "0", long offset = 0) =>
        (await app.Client.GetFromJsonAsync<InstanceLog>($"/v1/runs/{runId}/instances/{instance}/log?offset={offset}", Json.Options))!;

    /// <summary>Waits until the instance's log has a line starting with the prefix and returns that line.</summary>
    public static async Task<string> WaitForLogLineAsync(this TestApp app, Guid runId, string prefix, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var log = await app.ReadLogAsync(runId);
            if (log.Lines.FirstOrDefault(l => l.Text.StartsWith(prefix, StringComparison.Ordinal)) is { } line) return line.Text;
            Assert.True(clock.Elapsed < (timeout ?? TimeSpan.FromSeconds(30)),
                $"No log line starting with '{prefix}' after {clock.Elapsed.TotalSeconds:0.#} s; the log has {log.Lines.Count} line(s), state {log.State}");
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
    }
}
