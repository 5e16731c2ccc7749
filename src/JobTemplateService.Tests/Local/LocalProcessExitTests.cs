using System.Collections.Concurrent;

namespace JobTemplateService.Tests;

/// <summary>
/// A process that exits at once, before its output readers are attached, still has its exit code,
/// its output and its last error line recorded: the exit is handled only once reading has begun.
/// </summary>
public sealed class LocalProcessExitTests
{
    // About exits, not accounts: each process is a plain /bin/sh of the test's own user.
    private static readonly JobAccount Unswitched = new(Environment.UserName, 0, 0, null, Switches: false);

    [Fact]
    public async Task ProcessesThatExitImmediatelyKeepTheirExitCodeAndEveryLine()
    {
        var environment = new Dictionary<string, string> { ["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin" };
        var lines = new ConcurrentBag<LogLine>();
        var processes = Enumerable.Range(0, 2000).Select(_ => new LocalProcess("local:test", Guid.NewGuid(),
            "echo out; echo 'the problem' >&2; exit 3", null, Unswitched, environment, [], lines.Add)).ToList();

        var failures = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(processes, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (process, token) =>
        {
            try
            {
                process.Start();
                var code = await process.Exited.WaitAsync(TimeSpan.FromSeconds(30), token);
                if (code != 3 || process.LastErrorLine != "the problem")
                    failures.Add($"exit {code}, last error line '{process.LastErrorLine}'");
            }
            catch (Exception ex)
            {
                failures.Add($"{ex.GetType().Name}: {ex.Message}");
            }
        });

        Assert.Empty(failures);
        Assert.Equal(4000, lines.Count);
    }
}
