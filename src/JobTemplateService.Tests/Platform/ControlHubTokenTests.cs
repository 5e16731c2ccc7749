namespace JobTemplateService.Tests;

/// <summary>The organization comes from the credential token's JWT "o" claim (base64url, padding optional).</summary>
public sealed class ControlHubTokenTests
{
    [Fact]
    public void OrganizationIsReadFromABase64UrlPayloadWithoutPadding()
    {
        var token = ControlHubSimulator.CredToken;
        var payload = token.Split('.')[1];

        var organization = ControlHubToken.Organization(token);

        Assert.True(payload.Contains('-') || payload.Contains('_'), $"payload {payload} has no base64url-only characters");
        Assert.NotEqual(0, payload.Length % 4);
        Assert.Equal(ControlHubSimulator.OrgId, organization);
    }

    [Theory]
    [InlineData("cred-token-for-tests")]
    [InlineData("a.b.c")]
    [InlineData("eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZGEifQ.c2ln")] // {"sub":"ada"}: no "o" claim
    [InlineData("eyJhbGciOiJub25lIn0.eyJvIjoiIn0.c2ln")] // {"o":""}
    [InlineData("eyJhbGciOiJub25lIn0.WyJvIl0.c2ln")] // ["o"]
    [InlineData("")]
    public void ATokenThatIsNotAJwtNamingAnOrganizationHasNone(string token)
    {
        Assert.Null(ControlHubToken.Organization(token));
    }
}
