namespace JobTemplateService.Schema;

/// <summary>A migration the database's journal records.</summary>
internal sealed record AppliedMigration(string Name, bool BackwardCompatible);

/// <summary>
/// The database's schema compared with the migrations this build carries: those it lacks
/// (behind) and those it has that this build does not know (ahead: a newer build migrated it).
/// </summary>
internal sealed record SchemaState(IReadOnlyList<Migration> Pending, IReadOnlyList<AppliedMigration> Newer, string? Version, string Expected)
{
    public bool IsBehind => Pending.Count > 0;
    public bool IsAhead => Newer.Count > 0;
    public bool NewerAreBackwardCompatible => Newer.All(m => m.BackwardCompatible);

    public static SchemaState Of(IReadOnlyList<Migration> migrations, IReadOnlyList<AppliedMigration> applied)
    {
        var appliedNames = applied.Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        var known = migrations.Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        return new SchemaState(
            migrations.Where(m => !appliedNames.Contains(m.Name)).ToList(),
            applied.Where(m => !known.Contains(m.Name)).ToList(),
            applied.Count == 0 ? null : VersionOf(applied.Select(m => m.Name).Max(StringComparer.Ordinal)!),
            migrations.Count == 0 ? "none" : VersionOf(migrations[^1].Name));
    }

    /// <summary>A migration's version is its file name without .sql, e.g. 0001_initial_schema.</summary>
    public static string VersionOf(string name) => Path.GetFileNameWithoutExtension(name);
}
