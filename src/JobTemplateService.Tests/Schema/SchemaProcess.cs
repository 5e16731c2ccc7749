namespace JobTemplateService.Tests;

/// <summary>The built service run against a test database, as an operator runs it (environment variables, no INI files).</summary>
public static class SchemaProcess
{
    public static Task<ServiceProcess.Result> RunAsync(TestDatabase database, IDictionary<string, string>? extra = null,
        params string[] arguments)
    {
        var settings = database.Settings;
        var environment = new Dictionary<string, string>
        {
            ["postgresql__host"] = settings.Host!, ["postgresql__port"] = settings.Port.ToString(),
            ["postgresql__database"] = settings.Database!, ["postgresql__user"] = settings.Username!,
            ["streamsets__url"] = StartupProbe.UnusedControlHubUrl, ["streamsets__cred_id"] = ControlHubSimulator.CredId,
            ["streamsets__cred_token"] = ControlHubSimulator.CredToken, ["Logging__Format"] = "none",
        };
        if (settings.Password is { } password) environment["postgresql__password"] = password;
        foreach (var (name, value) in extra ?? new Dictionary<string, string>()) environment[name] = value;
        return ServiceProcess.RunAsync(ServiceProcess.Directory(), environment, TimeSpan.FromSeconds(90), arguments);
    }

    /// <summary>A folder holding the built-in migrations plus the given extra ones, for Database:MigrationsDirectory.</summary>
    internal static string MigrationsDirectory(params Migration[] extra)
    {
        var directory = TestFolders.Create("migrations");
        foreach (var migration in MigrationSource.BuiltIn().Concat(extra))
            File.WriteAllText(Path.Combine(directory, migration.Name), migration.Sql);
        return directory;
    }
}
