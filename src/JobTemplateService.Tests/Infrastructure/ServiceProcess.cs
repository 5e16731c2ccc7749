using System.Diagnostics;

namespace JobTemplateService.Tests;

/// <summary>
/// The built service run as users run it (`dotnet JobTemplateService.dll`), in a working directory
/// of the test's choosing, with an environment cleaned of anything that configures the service.
/// </summary>
public static class ServiceProcess
{
    private static readonly string[] ConfiguringPrefixes =
        ["postgresql__", "streamsets__", "local__", "JTS_", "ASPNETCORE_", "DOTNET_ENVIRONMENT", "Monitor__", "Service__",
         "ControlHubClient__", "LocalPlatform__", "Logging__", "Serilog__", "Urls", "ConfigDirectory", "Database__", "Security__",
         "Callbacks__"];

    public sealed record Result(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)
    {
        public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>Runs the service until it exits; kills it and fails the test if it is still running after the timeout.</summary>
    public static async Task<Result> RunAsync(string workingDirectory, IDictionary<string, string>? environment = null,
        TimeSpan? timeout = null, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(RepositoryFiles.ServiceDll());
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        if (!arguments.Contains("--urls"))
        {
            start.ArgumentList.Add("--urls");
            start.ArgumentList.Add("http://127.0.0.1:0"); // never 8888: tests must not collide with a running service
        }
        foreach (var name in start.Environment.Keys.Where(k => ConfiguringPrefixes.Any(p => k.StartsWith(p, StringComparison.OrdinalIgnoreCase))).ToList())
            start.Environment.Remove(name);
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"The service was still running after {clock.Elapsed}; stdout: {await stdout}");
        }
        return new Result(process.ExitCode, await stdout, await stderr, clock.Elapsed);
    }

    /// <summary>A fresh temporary directory holding the given files (name → content).</summary>
    public static string Directory(params (string Name, string Content)[] files)
    {
        var directory = TestFolders.Create("config");
        foreach (var (name, content) in files) File.WriteAllText(System.IO.Path.Combine(directory, name), content);
        return directory;
    }
}
