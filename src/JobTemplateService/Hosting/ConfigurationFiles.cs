namespace JobTemplateService;

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

    public static WebApplicationBuilder AddConfigurationFiles(this WebApplicationBuilder builder, string[] args)
    {
        var directory = ResolveDirectory(builder.Configuration);
        builder.Configuration
            .AddIniFile(Path.Combine(directory, DatabaseFile), optional: true, reloadOnChange: false)
            .AddIniFile(Path.Combine(directory, PlatformFile), optional: true, reloadOnChange: false)
            .AddEnvironmentVariables()
            .AddCommandLine(args);
        return builder;
    }

    public static string ResolveDirectory(IConfiguration configuration) =>
        configuration["ConfigDirectory"]
        ?? Environment.GetEnvironmentVariable(DirectoryVariable)
        ?? Directory.GetCurrentDirectory();
}
