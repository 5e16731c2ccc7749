using Microsoft.Extensions.Options;

namespace JobTemplateService.Configuration;

/// <summary>
/// The original service's configuration files: database.ini ([postgresql]) and platform.ini
/// ([streamsets], [local]). Their sections become configuration sections of the same name, and
/// environment variables (postgresql__password, streamsets__cred_token, …) override them.
/// </summary>
internal static class ConfigurationFiles
{
    public const string DatabaseFile = "database.ini";
    public const string PlatformFile = "platform.ini";
    public const string DirectoryVariable = "JTS_CONFIG_DIR";

    /// <summary>Adds the files (if present); false, with one line saying why, when one cannot be read.</summary>
    public static bool TryAddConfigurationFiles(this WebApplicationBuilder builder, string[] args, out string? problem)
    {
        var directory = ResolveDirectory(builder.Configuration);
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        try
        {
            foreach (var file in new[] { DatabaseFile, PlatformFile })
            {
                var path = Path.Combine(directory, file);
                if (File.Exists(path)) IniFile.Read(file, File.ReadAllLines(path), values);
            }
        }
        catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
        {
            problem = ex.Message;
            return false;
        }
        builder.Configuration.AddInMemoryCollection(values).AddEnvironmentVariables().AddCommandLine(args);
        problem = null;
        return true;
    }

    public static string ResolveDirectory(IConfiguration configuration) =>
        configuration["ConfigDirectory"]
        ?? Environment.GetEnvironmentVariable(DirectoryVariable)
        ?? Directory.GetCurrentDirectory();

    /// <summary>Every invalid setting, on one line, or null when the configuration is valid.</summary>
    public static string? Problems(IServiceProvider services)
    {
        try
        {
            services.GetService<IStartupValidator>()?.Validate();
            return null;
        }
        catch (OptionsValidationException ex)
        {
            return string.Join("; ", ex.Failures);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OptionsValidationException))
        {
            return string.Join("; ", ex.InnerExceptions.Cast<OptionsValidationException>().SelectMany(e => e.Failures));
        }
    }
}

/// <summary>
/// INI as the original service's Python ConfigParser read it: [section], key=value or key: value,
/// whole-line comments starting with ; or #. Keys become "section:key".
/// </summary>
internal static class IniFile
{
    public static void Read(string name, IReadOnlyList<string> lines, IDictionary<string, string?> values)
    {
        string? section = null;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line[0] is ';' or '#') continue;
            if (line[0] == '[')
            {
                if (line[^1] != ']' || line.Length < 3) throw new FormatException($"{name} line {i + 1}: a section header is written [name].");
                section = line[1..^1].Trim();
                continue;
            }
            var separator = line.IndexOfAny(['=', ':']);
            if (separator <= 0) throw new FormatException($"{name} line {i + 1}: expected key=value.");
            if (section is null) throw new FormatException($"{name} line {i + 1}: '{line[..separator].Trim()}' comes before any [section].");
            values[$"{section}:{line[..separator].Trim()}"] = line[(separator + 1)..].Trim();
        }
    }
}
