using Microsoft.Extensions.Configuration;
using Npgsql;

namespace JobTemplateService.Configuration;

/// <summary>database.ini, section [postgresql], exactly as the original service wrote it.</summary>
internal sealed class DatabaseOptions
{
    public const string Section = "postgresql";
    public static readonly string[] SslModes = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"];

    public string? Host { get; set; }
    public string? Port { get; set; }
    public string? Database { get; set; }
    public string? User { get; set; }
    public string? Password { get; set; }
    public string? SslMode { get; set; }

    [ConfigurationKeyName("pool_size")]
    public string? PoolSize { get; set; }

    public string ToConnectionString()
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = Host,
            Port = string.IsNullOrWhiteSpace(Port) ? 5432 : int.Parse(Port),
            Database = Database,
            Username = User,
            Password = string.IsNullOrEmpty(Password) ? null : Password,
            MaxPoolSize = string.IsNullOrWhiteSpace(PoolSize) ? 30 : int.Parse(PoolSize),
            ApplicationName = "JobTemplateService",
            MaxAutoPrepare = 64,
            AutoPrepareMinUsages = 2,
            Timeout = 5,
            CommandTimeout = 30,
            Enlist = false,
        };
        if (!string.IsNullOrWhiteSpace(SslMode))
        {
            builder.SslMode = Enum.Parse<SslMode>(SslMode.Replace("-", ""), ignoreCase: true);
        }
        return builder.ConnectionString;
    }
}
