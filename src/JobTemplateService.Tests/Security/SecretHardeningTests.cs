using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace JobTemplateService.Tests;

/// <summary>Which names are secret (a wider heuristic), and multi-line secret values masked line by line in job output.</summary>
public sealed class SecretHardeningTests
{
    [Theory]
    [InlineData("DB_PASSWD", true)]
    [InlineData("SMTP_PWD", true)]
    [InlineData("APIKEY", true)]
    [InlineData("api_key", true)]
    [InlineData("SSH_PRIVATE", true)]
    [InlineData("privateKeyPem", true)]
    [InlineData("AUTH", true)]
    [InlineData("BASIC_AUTH", true)]
    [InlineData("OAUTH_CLIENT", true)]
    [InlineData("AUTHORIZATION_HEADER", true)]
    [InlineData("SESSION_COOKIE", true)]
    [InlineData("SessionId", true)]
    [InlineData("REQUEST_SIGNATURE", true)]
    [InlineData("SENTRY_DSN", true)]
    [InlineData("CONNECTION_STRING", true)]
    [InlineData("jdbcConnectionString", true)]
    [InlineData("PASSPHRASE", true)]
    [InlineData("BEARER", true)]
    [InlineData("JWT", true)]
    [InlineData("SAS", true)]
    [InlineData("AUTHOR_NAME", false)]
    [InlineData("CITY", false)]
    [InlineData("GCS_BUCKET", false)]
    [InlineData("HTTP_URL", false)]
    [InlineData("MIN_TEMPERATURE_C", false)]
    [InlineData("KEYSPACE", false)]
    [InlineData("DESCRIPTION", false)]
    [InlineData("KANSAS_OFFICE", false)]
    public void SecretNameHeuristicTable(string name, bool secret)
    {
        Assert.Equal(secret, SecretMasker.IsSecret(name, []));
    }

    [Fact]
    public async Task MultiLineSecretIsMaskedLineByLineInJobOutput()
    {
        const string key = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n-----END PRIVATE KEY-----";
        await using var app = await TestApp.StartAsync(LocalJobs.Command("print_key", "printf '%s\\n' \"$TLS_PRIVATE_KEY\"; echo done"));
        await app.Database.LocalTemplateAsync("print_key");

        var launched = await app.LaunchAsync(LocalJobs.Body("pem-1", new JsonObject { ["TLS_PRIVATE_KEY"] = key }));
        await app.WaitForRunAsync(launched.RunId);
        var lines = (await app.ReadLogAsync(launched.RunId)).Lines.Select(l => l.Text).ToList();

        Assert.Contains("done", lines);
        Assert.DoesNotContain(lines, l => l.Contains("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC") || l.Contains("BKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj"));
        Assert.Equal(4, lines.Count(l => l == SecretMasker.Mask));
    }
}
