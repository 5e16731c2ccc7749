using Microsoft.Extensions.Options;

namespace JobTemplateService.Tests;

/// <summary>Startup validation of database.ini and platform.ini values, in process.</summary>
public sealed class ConfigurationTests
{
    private const string DatabasePassword = "pg-S3CRET-password";
    private static readonly string CredToken = ControlHubSimulator.Token(ControlHubSimulator.OrgId, "cred-S3CRET-token");

    [Theory]
    [InlineData("postgresql:host", null, "database.ini [postgresql] host")]
    [InlineData("postgresql:database", "", "database.ini [postgresql] database")]
    [InlineData("postgresql:port", "abc", "database.ini [postgresql] port")]
    [InlineData("postgresql:port", "70000", "database.ini [postgresql] port")]
    [InlineData("postgresql:sslmode", "bogus", "database.ini [postgresql] sslmode")]
    [InlineData("postgresql:pool_size", "0", "database.ini [postgresql] pool_size")]
    [InlineData("streamsets:url", "not-a-url", "platform.ini [streamsets] url")]
    [InlineData("streamsets:url", "ftp://hub.example.com", "platform.ini [streamsets] url")]
    [InlineData("streamsets:cred_id", null, "platform.ini [streamsets] cred_id")]
    [InlineData("streamsets:cred_token", null, "platform.ini [streamsets] cred_token")]
    public async Task WrongValueStopsStartupNamingFileSectionAndKey(string key, string? value, string named)
    {
        var failure = await StartupProbe.StartAsync(settings =>
        {
            WithSecrets(settings);
            if (value is null) settings.Remove(key);
            else settings[key] = value;
        });

        var exception = Assert.IsType<OptionsValidationException>(failure);
        var only = Assert.Single(exception.Failures);
        Assert.StartsWith(named + ":", only);
        Assert.DoesNotContain(DatabasePassword, exception.Message);
        Assert.DoesNotContain(CredToken, exception.Message);
    }

    [Theory]
    [InlineData("cred-S3CRET-token")]
    [InlineData("e30.e30.cred-S3CRET-token")] // a JWT whose payload is {}: no organization
    [InlineData("eyJhbGciOiJub25lIn0.!!!.cred-S3CRET-token")]
    public async Task CredentialTokenThatIsNotAJwtNamingAnOrganizationStopsStartup(string token)
    {
        var failure = await StartupProbe.StartAsync(settings => settings["streamsets:cred_token"] = token);

        var exception = Assert.IsType<OptionsValidationException>(failure);
        var only = Assert.Single(exception.Failures);
        Assert.StartsWith("platform.ini [streamsets] cred_token: is not a Control Hub API credential token", only);
        Assert.DoesNotContain("S3CRET", exception.Message);
    }

    [Fact]
    public async Task UrlIsOptionalWithACredentialToken()
    {
        var failure = await StartupProbe.StartAsync(settings =>
        {
            WithSecrets(settings);
            settings.Remove("streamsets:url");
            settings["streamsets:login_url"] = StartupProbe.UnusedControlHubUrl;
        });

        Assert.Null(failure);
    }

    [Theory]
    [InlineData("admin", null, "platform.ini [streamsets] url")]
    [InlineData(ControlHubSimulator.OrgId, "not-a-url", "platform.ini [streamsets] login_url")]
    public async Task WithoutUrlTheOrganizationMustBeLookedUp(string organization, string? loginUrl, string named)
    {
        var failure = await StartupProbe.StartAsync(settings =>
        {
            settings.Remove("streamsets:url");
            settings["streamsets:cred_token"] = ControlHubSimulator.Token(organization);
            if (loginUrl is not null) settings["streamsets:login_url"] = loginUrl;
        });

        var exception = Assert.IsType<OptionsValidationException>(failure);
        Assert.StartsWith(named + ":", Assert.Single(exception.Failures));
    }

    [Theory]
    [InlineData("7")]
    [InlineData("allow,prefer")]
    public async Task SslModeThatIsNotALibpqModeNameStopsStartup(string sslMode)
    {
        var failure = await StartupProbe.StartAsync(settings => settings["postgresql:sslmode"] = sslMode);

        var exception = Assert.IsType<OptionsValidationException>(failure);
        Assert.StartsWith("database.ini [postgresql] sslmode:", Assert.Single(exception.Failures));
    }

    [Fact]
    public async Task EveryWrongPlatformValueIsNamedWithoutTheCredentialToken()
    {
        var failure = await StartupProbe.StartAsync(settings =>
        {
            WithSecrets(settings);
            settings["streamsets:url"] = "hub.example.com";
            settings.Remove("streamsets:cred_id");
        });

        var exception = Assert.IsType<OptionsValidationException>(failure);
        Assert.Equal(["platform.ini [streamsets] url", "platform.ini [streamsets] cred_id"],
            exception.Failures.Select(f => f[..f.IndexOf(':')]));
        Assert.DoesNotContain(CredToken, exception.Message);
    }

    [Fact]
    public async Task NoStreamsetsAndNoLocalSectionStopsStartupNamingPlatformIni()
    {
        var failure = await StartupProbe.StartAsync(settings =>
        {
            foreach (var key in settings.Keys.Where(k => k.StartsWith("streamsets:")).ToList()) settings.Remove(key);
        });

        var exception = Assert.IsType<OptionsValidationException>(failure);
        Assert.Contains("platform.ini", Assert.Single(exception.Failures));
    }

    [Fact]
    public async Task LocalSectionAloneIsEnoughPlatformConfiguration()
    {
        var failure = await StartupProbe.StartAsync(settings =>
        {
            foreach (var key in settings.Keys.Where(k => k.StartsWith("streamsets:")).ToList()) settings.Remove(key);
            settings["local:csv-filter"] = "python3 demo/jobs/csv_filter.py";
        });

        Assert.Null(failure);
    }

    [Fact]
    public async Task ValidSettingsStartTheService()
    {
        var failure = await StartupProbe.StartAsync(settings =>
        {
            WithSecrets(settings);
            settings["postgresql:sslmode"] = "disable";
            settings["postgresql:pool_size"] = "5";
        });

        Assert.Null(failure);
    }

    private static void WithSecrets(Dictionary<string, string?> settings)
    {
        settings["postgresql:password"] = DatabasePassword;
        settings["streamsets:cred_token"] = CredToken;
    }
}
