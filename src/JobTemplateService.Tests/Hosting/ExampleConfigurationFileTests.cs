using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace JobTemplateService.Tests;

/// <summary>database.ini.example and platform.ini.example, read by the service's own INI reader.</summary>
public sealed class ExampleConfigurationFileTests
{
    [Fact]
    public void DatabaseExampleHasThePostgresqlKeysOfTheOriginal()
    {
        var configuration = Read(RepositoryFiles.Path("database.ini.example"));

        Assert.Equal(new Dictionary<string, string?>
        {
            ["postgresql:host"] = "localhost", ["postgresql:port"] = "5432", ["postgresql:database"] = "postgres",
            ["postgresql:user"] = "streamsets", ["postgresql:password"] = "streamsets",
        }, Values(configuration));
    }

    [Fact]
    public void PlatformExampleHasTheStreamsetsKeysOfTheOriginalAndTheOptionalOnesCommentedOut()
    {
        var configuration = Read(RepositoryFiles.Path("platform.ini.example"));
        var optional = Read(Uncommented("platform.ini.example", "platform.ini", ";url=", ";login_url=", ";project="));

        Assert.Equal(["streamsets:cred_id", "streamsets:cred_token"], Values(configuration).Keys.Order());
        Assert.StartsWith("https://", optional["streamsets:url"]);
        Assert.Equal(ControlHubOptions.DefaultLoginUrl, optional["streamsets:login_url"]);
        Assert.NotNull(optional["streamsets:project"]);
    }

    [Fact]
    public void ExampleFilesPassStartupValidation()
    {
        var database = Read(RepositoryFiles.Path("database.ini.example"));
        var platform = Read(RepositoryFiles.Path("platform.ini.example"));
        var optional = Read(Uncommented("platform.ini.example", "platform.ini", ";url=", ";login_url=", ";project="));

        var databaseResult = ValidateDatabase(database);
        var platformResult = ValidatePlatform(platform);
        var optionalResult = ValidatePlatform(optional);

        Assert.True(databaseResult.Succeeded, databaseResult.FailureMessage);
        Assert.True(platformResult.Succeeded, platformResult.FailureMessage);
        Assert.True(optionalResult.Succeeded, optionalResult.FailureMessage);
    }

    [Fact]
    public void OptionalDatabaseSettingsAreValidOnceUncommented()
    {
        var configuration = Read(Uncommented("database.ini.example", "database.ini", "; sslmode=", "; pool_size="));
        var result = ValidateDatabase(configuration);

        Assert.NotNull(configuration["postgresql:sslmode"]);
        Assert.NotNull(configuration["postgresql:pool_size"]);
        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void LocalCommandOfThePlatformExampleRunsAScriptThatExists()
    {
        var configuration = Read(Uncommented("platform.ini.example", "platform.ini", ";[local]", ";csv_filter="));

        var command = configuration["local:csv_filter"];

        Assert.NotNull(command);
        var script = command.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1];
        Assert.True(File.Exists(RepositoryFiles.Path(script)), $"platform.ini.example [local] names '{script}', which does not exist");
    }

    /// <summary>Read as the service reads its INI files (the original's ConfigParser rules), not by another INI provider.</summary>
    private static IConfigurationRoot Read(string path)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        IniFile.Read(Path.GetFileName(path), File.ReadAllLines(path), values);
        return new ConfigurationBuilder().AddInMemoryCollection(values).Build();
    }

    /// <summary>A copy of an example file with the lines starting with one of <paramref name="prefixes"/> uncommented.</summary>
    private static string Uncommented(string example, string name, params string[] prefixes)
    {
        var lines = File.ReadAllLines(RepositoryFiles.Path(example))
            .Select(l => prefixes.FirstOrDefault(l.StartsWith) is { } prefix ? l[(prefix.IndexOf(';') + 1)..].TrimStart() : l);
        return Path.Combine(ServiceProcess.Directory((name, string.Join('\n', lines))), name);
    }

    /// <summary>The example's placeholder token stands for a real one: a JWT naming the organization.</summary>
    private static ValidateOptionsResult ValidatePlatform(IConfiguration configuration)
    {
        var options = configuration.GetSection(ControlHubOptions.Section).Get<ControlHubOptions>()!;
        Assert.Equal("<YOUR CRED TOKEN>", options.CredToken);
        options.CredToken = ControlHubSimulator.CredToken;
        return new ControlHubOptionsValidator(Options.Create(new LocalPlatformOptions())).Validate(null, options);
    }

    private static Dictionary<string, string?> Values(IConfiguration configuration) =>
        configuration.AsEnumerable().Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value);

    private static ValidateOptionsResult ValidateDatabase(IConfiguration configuration) =>
        new DatabaseOptionsValidator().Validate(null, configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>()!);
}
