namespace JobTemplateService.Tests;

/// <summary>Rebuilding real values from the stored (masked) copy, for a second start after an unclear one.</summary>
public sealed class ParameterRestoreTests
{
    private static readonly JobTemplate TemplateWithSecret =
        ParameterMergerTests.Template(("destination_connection_info", """{"GCS_CONNECTION": "conn-1", "GCS_SERVICE_ACCOUNT": "sa-secret"}"""))
            with { SecretParameters = ["GCS_SERVICE_ACCOUNT"] };

    [Fact]
    public void RestoreBringsBackMaskedTemplateSecretsFromTheTemplate()
    {
        var merged = Assert.Single(ParameterMerger.Merge(TemplateWithSecret, [new Dictionary<string, string> { ["CITY"] = "London" }]).Instances);
        var stored = merged.Masked(TemplateWithSecret);

        var restored = ParameterMerger.Restore(TemplateWithSecret, stored, merged.CallerSecretKeys(TemplateWithSecret));

        Assert.Equal(SecretMasker.Mask, stored["GCS_SERVICE_ACCOUNT"]);
        Assert.Equal(merged.Values, restored);
    }

    [Fact]
    public void RestoreGivesUpWhenTheCallerSentSecretValues()
    {
        var merged = Assert.Single(ParameterMerger.Merge(TemplateWithSecret,
            [new Dictionary<string, string> { ["CITY"] = "London", ["API_KEY"] = "caller-secret" }]).Instances);

        var restored = ParameterMerger.Restore(TemplateWithSecret, merged.Masked(TemplateWithSecret), merged.CallerSecretKeys(TemplateWithSecret));

        Assert.Equal(["API_KEY"], merged.CallerSecretKeys(TemplateWithSecret));
        Assert.Null(restored);
    }

    [Fact]
    public void RestoreGivesUpWhenAMaskedSecretHasNoTemplateValue()
    {
        var stored = new Dictionary<string, string> { ["CITY"] = "London", ["dbPassword"] = SecretMasker.Mask };

        var restored = ParameterMerger.Restore(TemplateWithSecret, stored, []);

        Assert.Null(restored);
    }

    [Fact]
    public void RestoreKeepsAMaskLikeValueOfAnOrdinaryKey()
    {
        var stored = new Dictionary<string, string> { ["CITY"] = SecretMasker.Mask, ["GCS_SERVICE_ACCOUNT"] = SecretMasker.Mask };

        var restored = ParameterMerger.Restore(TemplateWithSecret, stored, []);

        Assert.Equal(new Dictionary<string, string> { ["CITY"] = SecretMasker.Mask, ["GCS_SERVICE_ACCOUNT"] = "sa-secret" }, restored);
    }
}
