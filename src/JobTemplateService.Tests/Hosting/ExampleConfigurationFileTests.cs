using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace JobTemplateService.Tests;

/// <summary>database.ini.example and platform.ini.example, read by the same INI provider the service uses.</summary>
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
    public void PlatformExampleHasTheStreamsetsKeys()
    {
        var configuration = Read(RepositoryFiles.Path("platform.ini.example"));

        Assert.Equal(["streamsets:cred_id", "streamsets:cred_token", "streamsets:url"], Values(configuration).Keys.Order());
        Assert.StartsWith("https://", configuration["streamsets:url"]);
    }

    [Fact]
    public void ExampleFilesPassStartupValidation()
    {
        var database = Read(RepositoryFiles.Path("database.ini.example"));
        var platform = Read(RepositoryFiles.Path("platform.ini.example"));

        var databaseResult = ValidateDatabase(database);
        var platformResult = new ControlHubOptionsValidator(Options.Create(new LocalPlatformOptions()))
            .Validate(null, platform.GetSection(ControlHubOptions.Section).Get<ControlHubOptions>()!);

        Assert.True(databaseResult.Succeeded, databaseResult.FailureMessage);
        Assert.True(platformResult.Succeeded, platformResult.FailureMessage);
    }

    [Fact]
    public void OptionalDatabaseSettingsAreValidOnceUncommented()
    {
        var lines = File.ReadAllLines(RepositoryFiles.Path("database.ini.example"))
            .Select(l => l.StartsWith("; sslmode=") || l.StartsWith("; pool_size=") ? l[2..] : l);
        var path = Path.Combine(ServiceProcess.Directory(("database.ini", string.Join('\n', lines))), "database.ini");

        var configuration = Read(path);
        var result = ValidateDatabase(configuration);

        Assert.NotNull(configuration["postgresql:sslmode"]);
        Assert.NotNull(configuration["postgresql:pool_size"]);
        Assert.True(result.Succeeded, result.FailureMessage);
    }

    private static IConfigurationRoot Read(string path) => new ConfigurationBuilder().AddIniFile(path, optional: false).Build();

    private static Dictionary<string, string?> Values(IConfiguration configuration) =>
        configuration.AsEnumerable().Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value);

    private static ValidateOptionsResult ValidateDatabase(IConfiguration configuration) =>
        new DatabaseOptionsValidator().Validate(null, configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>()!);
}
