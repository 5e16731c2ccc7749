namespace JobTemplateService.Tests;

/// <summary>
/// What a user sees when the configuration is wrong: the built service started with
/// `dotnet JobTemplateService.dll`, reading database.ini and platform.ini like the original did.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class ConfigurationProcessTests
{
    private const string DatabasePassword = "pg-S3CRET-password";
    private static readonly string CredToken = ControlHubSimulator.Token(ControlHubSimulator.OrgId, "cred-S3CRET-token");
    // Generous: on a loaded machine `dotnet` alone can take seconds to start; a hang (retrying the database) takes far longer.
    private static readonly TimeSpan FewSeconds = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task WrongPortInDatabaseIniOfTheWorkingDirectoryExitsWithCode2AndOneLine()
    {
        var directory = ServiceProcess.Directory(("database.ini", DatabaseIni(port: "abc")), ("platform.ini", PlatformIni()));

        var result = await ServiceProcess.RunAsync(directory);

        Assert.Equal(2, result.ExitCode);
        Assert.True(result.Elapsed < FewSeconds, $"took {result.Elapsed}");
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith("configuration error: database.ini [postgresql] port:", line);
        Assert.DoesNotContain(DatabasePassword, result.Stdout + result.Stderr);
        Assert.DoesNotContain(CredToken, result.Stdout + result.Stderr);
    }

    [Fact]
    public async Task ConfigDirectoryVariableLocatesTheIniFiles()
    {
        var config = ServiceProcess.Directory(("database.ini", DatabaseIni(port: "abc")), ("platform.ini", PlatformIni()));
        var elsewhere = ServiceProcess.Directory();

        var result = await ServiceProcess.RunAsync(elsewhere, new Dictionary<string, string> { ["JTS_CONFIG_DIR"] = config });

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("configuration error: database.ini [postgresql] port:", Assert.Single(result.StderrLines));
    }

    [Fact]
    public async Task EnvironmentVariableOverridesTheIniFileValue()
    {
        var directory = ServiceProcess.Directory(("database.ini", DatabaseIni(port: "abc")), ("platform.ini", PlatformIni(url: "not-a-url")));

        var result = await ServiceProcess.RunAsync(directory, new Dictionary<string, string> { ["postgresql__port"] = "5432" });

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith("configuration error: platform.ini [streamsets] url:", line);
        Assert.DoesNotContain("port", line);
    }

    [Fact]
    public async Task CredentialTokenThatIsNotAJwtExitsWithCode2AndOneLineNamingIt()
    {
        var platformIni = PlatformIni().Replace(CredToken, "cred-S3CRET-token");
        var directory = ServiceProcess.Directory(("database.ini", DatabaseIni()), ("platform.ini", platformIni));

        var result = await ServiceProcess.RunAsync(directory);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith("configuration error: platform.ini [streamsets] cred_token: is not a Control Hub API credential token", line);
        Assert.DoesNotContain("S3CRET", result.Stdout + result.Stderr);
    }

    [Fact]
    public async Task ConfigurationErrorPrintsNoStackTrace()
    {
        var directory = ServiceProcess.Directory(("database.ini", DatabaseIni(port: "abc")), ("platform.ini", PlatformIni()));

        var result = await ServiceProcess.RunAsync(directory);

        Assert.Equal(2, result.ExitCode);
        Assert.DoesNotContain("   at ", result.Stdout + result.Stderr);
        Assert.DoesNotContain("OptionsValidationException", result.Stdout + result.Stderr);
    }

    [Fact]
    public async Task TwoWrongServiceSettingsExitWithCode2AndOneLineNamingBoth()
    {
        var directory = ServiceProcess.Directory(("database.ini", DatabaseIni()), ("platform.ini", PlatformIni()));

        var result = await ServiceProcess.RunAsync(directory, new Dictionary<string, string>
        {
            ["Monitor__ClaimBatchSize"] = "0", ["Service__MaxInstancesPerLaunch"] = "0",
        });

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith("configuration error: ", line);
        Assert.Contains("Monitor:ClaimBatchSize", line);
        Assert.Contains("Service:MaxInstancesPerLaunch", line);
    }

    [Fact]
    public async Task DatabaseIniWithTheOriginalColonSeparatorNeverEndsInAStackTrace()
    {
        // ConfigParser, which read the original service's database.ini, accepts "key: value" as well as "key=value".
        var directory = ServiceProcess.Directory(("database.ini", DatabaseIni().Replace("port=5432", "port: 5432")),
            ("platform.ini", PlatformIni(url: "not-a-url")));

        var result = await ServiceProcess.RunAsync(directory);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("configuration error: ", Assert.Single(result.StderrLines));
    }

    private static string DatabaseIni(string port = "5432") => $"""
        [postgresql]
        host=127.0.0.1
        port={port}
        database=postgres
        user=streamsets
        password={DatabasePassword}
        """;

    private static string PlatformIni(string url = "https://na01.hub.streamsets.com") => $"""
        [streamsets]
        url={url}
        cred_id=cred-id-1
        cred_token={CredToken}
        """;
}
