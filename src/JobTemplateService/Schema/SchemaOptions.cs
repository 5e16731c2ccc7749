namespace JobTemplateService.Schema;

/// <summary>How the service treats the database schema at start-up (appsettings.json "Database").</summary>
internal sealed class SchemaOptions
{
    public const string Section = "Database";

    /// <summary>Apply pending migrations at start-up. Off by default: production runs `migrate` as a deploy step.</summary>
    public bool MigrateOnStartup { get; set; }

    /// <summary>A folder of *.sql migrations used instead of those built into the service.</summary>
    public string? MigrationsDirectory { get; set; }
}
