namespace JobTemplateService.Tests;

/// <summary>
/// Everything the schema script defines in schema streamsets, one sorted line per object: tables
/// and views, columns, constraints, indexes, triggers and functions. Two equal snapshots mean the
/// same schema.
/// </summary>
public static class SchemaSnapshot
{
    public static async Task<IReadOnlyList<string>> TakeAsync(TestDatabase database, params string[] ignoredTables)
    {
        var lines = await database.QueryAsync<string>("""
            SELECT 'relation ' || table_name || ' ' || table_type
              FROM information_schema.tables WHERE table_schema = 'streamsets'
            UNION ALL
            SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' null=' || is_nullable
                   || ' default=' || coalesce(column_default, '-') || ' identity=' || is_identity
              FROM information_schema.columns WHERE table_schema = 'streamsets'
            UNION ALL
            SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
              FROM pg_constraint WHERE connamespace = 'streamsets'::regnamespace
            UNION ALL
            SELECT 'index ' || tablename || ' ' || indexname || ' ' || indexdef
              FROM pg_indexes WHERE schemaname = 'streamsets'
            UNION ALL
            SELECT 'view ' || viewname || ' ' || definition FROM pg_views WHERE schemaname = 'streamsets'
            UNION ALL
            SELECT 'trigger ' || tgrelid::regclass::text || ' ' || tgname || ' ' || pg_get_triggerdef(oid)
              FROM pg_trigger WHERE NOT tgisinternal AND tgrelid::regclass::text LIKE 'streamsets.%'
            UNION ALL
            SELECT 'function ' || proname || ' ' || md5(prosrc)
              FROM pg_proc WHERE pronamespace = 'streamsets'::regnamespace
            """);
        return lines.Where(line => !ignoredTables.Any(t => line.Contains(t, StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal).ToList();
    }
}
