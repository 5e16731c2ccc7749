using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace JobTemplateService.Platform.Local;

/// <summary>
/// Startup check of the local platform's account: whom jobs run as (see <see cref="JobAccount"/>),
/// and one trial run of `cd WorkingDirectory` exactly as a job would start, so a missing
/// util-linux, a kernel that refuses PID namespaces or a folder the job user cannot enter stops
/// the service with one line instead of failing every job.
/// </summary>
internal sealed class LocalPlatformValidator : IValidateOptions<LocalPlatformOptions>
{
    public ValidateOptionsResult Validate(string? name, LocalPlatformOptions options)
    {
        if (options.Commands.Count == 0) return ValidateOptionsResult.Success;
        if (JobAccount.Resolve(options, JobAccount.ServiceIsRoot, out var problem) is not { } account) return ValidateOptionsResult.Fail(problem!);
        if (!account.Switches) return ValidateOptionsResult.Success;
        if (!File.Exists(JobAccount.Unshare) || !File.Exists(JobAccount.SetPriv))
            return Fail($"running jobs as '{account.Name}' needs util-linux's {JobAccount.Unshare} and {JobAccount.SetPriv}");
        var directory = options.WorkingDirectory ?? Directory.GetCurrentDirectory();
        return TrialRun(account, directory) is { } failure
            ? Fail($"a job could not start as '{account.Name}' in {directory}: {failure}")
            : ValidateOptionsResult.Success;
    }

    private static string? TrialRun(JobAccount account, string directory)
    {
        var argv = account.Command("cd -- \"$1\"", "trial", directory);
        var start = new ProcessStartInfo(argv[0]) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in argv.Skip(1)) start.ArgumentList.Add(argument);
        try
        {
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill(entireProcessTree: true);
                return "the trial run did not finish within 10 s";
            }
            return process.ExitCode == 0 ? null : $"{error.Result.Trim()} (exit code {process.ExitCode})";
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return e.Message;
        }
    }

    private static ValidateOptionsResult Fail(string problem) => ValidateOptionsResult.Fail(
        $"appsettings.json {LocalPlatformOptions.Section}:RunAsUser: {problem} (or set the environment variable {LocalPlatformOptions.Section}__RunAsUser)");
}
