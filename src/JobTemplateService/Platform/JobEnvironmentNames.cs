using System.Text.RegularExpressions;

namespace JobTemplateService.Platform;

/// <summary>
/// Which parameter names may become environment variables of a job process: identifiers,
/// and none that the runtime itself interprets — the service's own, dynamic loaders, shells,
/// language runtimes, proxies. Shared by every process-based platform.
/// </summary>
internal static partial class JobEnvironmentNames
{
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "PATH", "HOME", "LANG", "TZ", "TMPDIR", "USER", "SHELL", "PWD", "IFS", "ENV", "BASH_ENV", "CDPATH", "PS4",
        "HOSTNAME", "KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT",
        "PYTHONPATH", "PYTHONSTARTUP", "PYTHONHOME", "PERL5LIB", "PERL5OPT", "RUBYLIB", "RUBYOPT", "NODE_OPTIONS", "NODE_PATH",
        "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS", "CLASSPATH", "DOTNET_STARTUP_HOOKS",
        "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "FTP_PROXY",
    };

    private static readonly string[] ReservedPrefixes = ["LD_", "DYLD_", "BASH_FUNC_", "JTS_", "LC_", "GCONV_", "MALLOC_", "CORECLR_", "COMPlus_"];

    /// <summary>Why the name cannot be an environment variable of a job, or null when it can.</summary>
    public static string? Problem(string name) =>
        !Identifier().IsMatch(name) ? "is not an identifier (letters, digits and '_', not starting with a digit, at most 128)"
        : Reserved.Contains(name) || ReservedPrefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase))
            ? "is interpreted by the job's runtime, so a parameter cannot set it"
            : null;

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,127}$")]
    private static partial Regex Identifier();
}
