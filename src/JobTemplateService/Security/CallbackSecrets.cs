using Microsoft.AspNetCore.DataProtection;

namespace JobTemplateService.Security;

/// <summary>
/// Callback secrets at rest: encrypted with ASP.NET Core Data Protection (its key ring lives in the
/// database, see <see cref="DatabaseXmlRepository"/>), so a copy of the run table alone reveals no
/// secret. Rows from before 0003 hold the secret in plain text and are read as they are.
/// </summary>
internal sealed class CallbackSecrets(IDataProtectionProvider provider)
{
    public const string Prefix = "dp1:";
    private readonly IDataProtector protector = provider.CreateProtector("JobTemplateService.CallbackSecret.v1");

    public string? Protect(string? secret) => secret is null ? null : Prefix + protector.Protect(secret);

    public string? Unprotect(string? stored) =>
        stored is not null && stored.StartsWith(Prefix, StringComparison.Ordinal) ? protector.Unprotect(stored[Prefix.Length..]) : stored;
}
