using System.Text.RegularExpressions;

namespace JobTemplateService.Templates;

/// <summary>
/// The one naming rule for parameters (DESIGN §3). On every platform a name is an identifier. On
/// process-based platforms (local, Kubernetes) the parameters become environment variables, so
/// names the runtime itself interprets are refused: the service's own (never allowed) and a deny
/// list of dynamic loaders, shells, language runtimes and proxies (a template may allow some).
/// Launch, plan and the template checks of the admin API all use this class.
/// </summary>
internal static partial class JobEnvironmentNames
{
    public const int MaxLength = 128;

    /// <summary>Set by the service for every job; a template cannot hand them to a caller.</summary>
    private static readonly HashSet<string> ServiceOwned = new(StringComparer.OrdinalIgnoreCase) { "PATH", "HOME", "LANG", "TZ", "TMPDIR" };

    private static readonly HashSet<string> Denied = new(StringComparer.OrdinalIgnoreCase)
    {
        "ENV", "IFS", "CDPATH", "PS1", "PS2", "PS4", "PROMPT_COMMAND", "SHELLOPTS", "BASHOPTS", "GLOBIGNORE", "HISTFILE", "FPATH",
        "ZDOTDIR", "SHELL", "USER", "LOGNAME", "PWD", "OLDPWD", "MAIL", "HOSTNAME", "EDITOR", "VISUAL", "PAGER", "TERMINFO",
        "TMP", "TEMP", "LANGUAGE", "LOCPATH", "NLSPATH", "HOSTALIASES", "LOCALDOMAIN", "RES_OPTIONS", "GLIBC_TUNABLES",
        "CLASSPATH", "PHPRC", "PHP_INI_SCAN_DIR", "TCLLIBPATH", "GOFLAGS", "CURL_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "SSLKEYLOGFILE",
        "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "FTP_PROXY",
    };

    private static readonly string[] DeniedPrefixes =
    [
        "LD_", "DYLD_", "GCONV_", "MALLOC_", "LC_", "RESOLV_", "BASH_", "PYTHON", "PERL", "RUBY", "GEM_", "BUNDLE_", "NODE_",
        "NPM_CONFIG_", "JAVA_", "_JAVA_", "JDK_", "DOTNET_", "COMPLUS_", "CORECLR_", "GIT_", "LUA_", "SSL_", "OPENSSL_", "KUBERNETES_",
    ];

    public static bool IsProcessBased(string platform) => platform is PlatformNames.Local or PlatformNames.Kubernetes;

    /// <summary>Why the name is not a parameter name on any platform, or null.</summary>
    public static string? IdentifierProblem(string name) => Identifier().IsMatch(name) ? null
        : $"A parameter name is an identifier: letters, digits and '_', not starting with a digit, at most {MaxLength} characters.";

    /// <summary>Why a process-based job cannot take the name as an environment variable, or null.</summary>
    public static string? RuntimeProblem(string name, IReadOnlyCollection<string> allowed)
    {
        if (IdentifierProblem(name) is { } problem) return problem;
        if (ServiceOwned.Contains(name) || name.StartsWith("JTS_", StringComparison.OrdinalIgnoreCase))
            return $"'{name}' is set by the service for every job; no parameter can set it.";
        var denied = Denied.Contains(name) || DeniedPrefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase));
        return denied && !allowed.Contains(name, StringComparer.Ordinal)
            ? $"'{name}' is interpreted by the job's runtime (loader, shell, language runtime or proxy); the template does not allow it."
            : null;
    }

    /// <summary>
    /// Static keys of a template that break the rule, keyed "column.KEY". Checked whenever a template
    /// is loaded for a launch or plan, and by anything that saves one.
    /// </summary>
    public static Dictionary<string, string[]> TemplateProblems(JobTemplate template)
    {
        var problems = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (key, column) in template.StaticKeys())
        {
            var problem = IsProcessBased(template.Platform) ? RuntimeProblem(key, template.AllowedEnvironmentNames) : IdentifierProblem(key);
            if (problem is not null) problems[$"{column}.{key}"] = [problem];
        }
        return problems;
    }

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]{0,127}\z")] // \z: $ would let a final newline through
    private static partial Regex Identifier();
}
