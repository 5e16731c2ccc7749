using Microsoft.Extensions.Options;

namespace JobTemplateService.Configuration;

/// <summary>
/// Startup checks for the two INI files. Each failure names the file, the section and the key,
/// and the environment variable that can supply it; values themselves are never echoed for
/// secrets.
/// </summary>
internal static class ConfigurationValidation
{
    public static string Problem(string file, string section, string key, string problem) =>
        $"{file} [{section}] {key}: {problem} (or set the environment variable {section}__{key})";

    public static bool IsPort(string? value) =>
        int.TryParse(value, out var port) && port is > 0 and < 65536;

    public static bool IsPositiveInt(string? value) => int.TryParse(value, out var n) && n > 0;
}

internal sealed class DatabaseOptionsValidator : IValidateOptions<DatabaseOptions>
{
    public ValidateOptionsResult Validate(string? name, DatabaseOptions options)
    {
        const string file = ConfigurationFiles.DatabaseFile, section = DatabaseOptions.Section;
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Host)) failures.Add(ConfigurationValidation.Problem(file, section, "host", "missing"));
        if (string.IsNullOrWhiteSpace(options.Database)) failures.Add(ConfigurationValidation.Problem(file, section, "database", "missing"));
        if (string.IsNullOrWhiteSpace(options.User)) failures.Add(ConfigurationValidation.Problem(file, section, "user", "missing"));
        if (!string.IsNullOrWhiteSpace(options.Port) && !ConfigurationValidation.IsPort(options.Port))
            failures.Add(ConfigurationValidation.Problem(file, section, "port", $"'{options.Port}' is not a port number"));
        if (!string.IsNullOrWhiteSpace(options.PoolSize) && !ConfigurationValidation.IsPositiveInt(options.PoolSize))
            failures.Add(ConfigurationValidation.Problem(file, section, "pool_size", $"'{options.PoolSize}' is not a positive number"));
        if (!string.IsNullOrWhiteSpace(options.SslMode) && !DatabaseOptions.SslModes.Contains(options.SslMode.ToLowerInvariant()))
            failures.Add(ConfigurationValidation.Problem(file, section, "sslmode",
                $"'{options.SslMode}' is not one of disable, allow, prefer, require, verify-ca, verify-full"));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
