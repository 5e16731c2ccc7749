namespace JobTemplateService.Tests;

public sealed class SecretMaskerTests
{
    [Theory]
    [InlineData("API_KEY")]
    [InlineData("apiKey")]
    [InlineData("api-key")]
    [InlineData("dbPassword")]
    [InlineData("GCS_TOKEN")]
    [InlineData("client_secret")]
    [InlineData("AWS_SECRET_ACCESS_KEY")]
    [InlineData("DB_PWD")]
    [InlineData("PASSWD")]
    [InlineData("privateKey")]
    [InlineData("SERVICE_CREDENTIALS")]
    public void NamesThatLookSecretAreSecret(string key)
    {
        Assert.True(SecretMasker.IsSecret(key, []));
    }

    [Theory]
    [InlineData("GCS_CONNECTION")]
    [InlineData("KEYSPACE")]
    [InlineData("MONKEY")]
    [InlineData("KEYWORDS")]
    [InlineData("PASSENGER_COUNT")]
    [InlineData("CITY")]
    [InlineData("HTTP_URL")]
    [InlineData("GCS_BUCKET")]
    public void OrdinaryNamesAreNotSecret(string key)
    {
        Assert.False(SecretMasker.IsSecret(key, []));
    }

    [Fact]
    public void KeysTheTemplateDeclaresSecretAreSecretWhateverTheirCase()
    {
        string[] declared = ["GCS_Service_Account"];

        Assert.True(SecretMasker.IsSecret("gcs_service_account", declared));
        Assert.True(SecretMasker.IsSecret("GCS_SERVICE_ACCOUNT", declared));
        Assert.False(SecretMasker.IsSecret("GCS_SERVICE", declared));
    }

    [Fact]
    public void MaskValuesReplacesOnlySecretValues()
    {
        var values = new Dictionary<string, string>
        {
            ["CITY"] = "London", ["API_KEY"] = "k-123", ["GCS_SERVICE_ACCOUNT"] = "sa-json", ["KEYSPACE"] = "weather",
        };

        var masked = SecretMasker.MaskValues(values, ["GCS_SERVICE_ACCOUNT"]);

        Assert.Equal(new Dictionary<string, string>
        {
            ["CITY"] = "London", ["API_KEY"] = "******", ["GCS_SERVICE_ACCOUNT"] = "******", ["KEYSPACE"] = "weather",
        }, masked);
    }
}
