using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;

namespace JobTemplateService.Tests;

/// <summary>
/// A local job cannot read the service's secrets: not its environment, not database.ini or
/// platform.ini, not another running job's environment. As root the service runs jobs as
/// LocalPlatform:RunAsUser, each in its own PID namespace.
/// </summary>
[Collection(LogCapturingCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LocalJobIsolationTests
{
    // Job A holds a secret and waits; job B (same command) looks for it and for the service's secrets.
    private const string Probe = """
        if [ -n "$SECRET_TOKEN" ]; then echo ready; sleep 30; exit 0; fi
        if cat /proc/$SERVICE_PID/environ >/dev/null 2>&1; then echo environ=readable; else echo environ=denied; fi
        for f in database.ini platform.ini; do
          if cat "$CONFIG_DIR/$f" >/dev/null 2>&1; then echo "$f=readable"; else echo "$f=denied"; fi
        done
        echo "other-jobs=$(grep -l "SECRET_TOKEN=zz-$OTHER_MARKER" /proc/[0-9]*/environ 2>/dev/null | wc -l)"
        echo "uid=$(id -u)"
        """;

    [Fact]
    public async Task JobReadsNeitherTheServicesEnvironmentNorItsConfigurationNorAnotherJobsEnvironment()
    {
        var config = ConfigDirectory();
        await using var app = await TestApp.StartAsync(LocalJobs.Command("probe", Probe, s => s["ConfigDirectory"] = config));
        await app.Database.LocalTemplateAsync("probe");
        var marker = Guid.NewGuid().ToString("N");

        var holder = await app.LaunchAsync(LocalJobs.Body("holder", new JsonObject { ["SECRET_TOKEN"] = $"zz-{marker}" }));
        try
        {
            await app.WaitForLogLineAsync(holder.RunId, "ready");
            var prober = await app.LaunchAsync(LocalJobs.Body("prober", new JsonObject
            {
                ["SERVICE_PID"] = Environment.ProcessId.ToString(), ["CONFIG_DIR"] = config, ["OTHER_MARKER"] = marker,
            }));
            var run = await app.WaitForRunAsync(prober.RunId);
            var lines = (await app.ReadLogAsync(run.RunId)).Lines.Select(l => l.Text).ToList();

            Assert.Equal(RunStates.Succeeded, run.State);
            Assert.Contains("environ=denied", lines);
            Assert.Contains("other-jobs=0", lines);
            if (Environment.UserName == "root")
            {
                Assert.Contains("database.ini=denied", lines);
                Assert.Contains("platform.ini=denied", lines);
                Assert.DoesNotContain("uid=0", lines);
            }
        }
        finally
        {
            using var _ = await app.CancelAsync(holder.RunId);
            await app.WaitForRunAsync(holder.RunId);
        }
    }

    [Fact]
    public async Task ConfigurationFilesOthersCanReadAreWarnedAboutAtStartup()
    {
        var config = ConfigDirectory();
        File.SetUnixFileMode(Path.Combine(config, "database.ini"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var logs = new LogCapture();

        await using var app = await TestApp.StartAsync(s => s["ConfigDirectory"] = config, services: s => s.AddSingleton<ILogEventSink>(logs));
        using var _ = await app.Client.GetAsync("/health/live");

        Assert.True(await logs.WaitForAsync(e => e.Level == LogEventLevel.Warning && e.RenderMessage().Contains("database.ini"),
            TimeSpan.FromSeconds(10)));
        Assert.DoesNotContain(logs.Events, e => e.RenderMessage().Contains("platform.ini"));
    }

    [Fact]
    public void RootWithoutARunAsUserOrWithRootAsItIsRefusedUnlessAllowRoot()
    {
        var commands = new Dictionary<string, string> { ["job"] = "true" };

        var none = JobAccount.Resolve(new LocalPlatformOptions { Commands = commands }, serviceIsRoot: true, out var noneProblem);
        var root = JobAccount.Resolve(new LocalPlatformOptions { Commands = commands, RunAsUser = "root" }, serviceIsRoot: true, out var rootProblem);
        var allowed = JobAccount.Resolve(new LocalPlatformOptions { Commands = commands, AllowRoot = true }, serviceIsRoot: true, out var allowedProblem);
        var other = JobAccount.Resolve(new LocalPlatformOptions { Commands = commands, RunAsUser = "nobody" }, serviceIsRoot: false, out var otherProblem);

        Assert.Null(none);
        Assert.StartsWith("appsettings.json LocalPlatform:RunAsUser: missing", noneProblem);
        Assert.Null(root);
        Assert.Contains("LocalPlatform:AllowRoot", rootProblem);
        Assert.Equal((0u, (string?)null), (allowed!.Uid, allowedProblem));
        Assert.Null(other);
        Assert.Contains("not root", otherProblem);
    }

    /// <summary>database.ini and platform.ini as a careful deployer leaves them: mode 0600 in a folder others may enter.</summary>
    private static string ConfigDirectory()
    {
        var directory = ServiceProcess.Directory(
            ("database.ini", "[postgresql]\nhost=127.0.0.1\npassword=db-S3CRET-isolation\n"),
            ("platform.ini", "[local]\n"));
        File.SetUnixFileMode(directory, (UnixFileMode)Convert.ToInt32("755", 8));
        foreach (var file in Directory.GetFiles(directory)) File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return directory;
    }
}
