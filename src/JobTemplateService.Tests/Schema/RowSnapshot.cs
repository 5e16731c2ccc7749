namespace JobTemplateService.Tests;

/// <summary>
/// Every row of every table of schema streamsets as text, one list per table. Taken before a
/// migration it also records each table's columns and their types, so that afterwards the same
/// columns can be read back cast to the types they had: a row is kept when it reads the same.
/// </summary>
public sealed class RowSnapshot
{
    private readonly Dictionary<string, List<(string Column, string Type)>> shape;

    private RowSnapshot(Dictionary<string, List<(string, string)>> shape, IReadOnlyDictionary<string, IReadOnlyList<string>> rows)
    {
        this.shape = shape;
        Rows = rows;
    }

    public IReadOnlyDictionary<string, IReadOnlyList<string>> Rows { get; }

    public static async Task<RowSnapshot> TakeAsync(TestDatabase database)
    {
        var columns = await database.QueryAsync<(string Table, string Column, string Type)>("""
            SELECT c.relname::text, a.attname::text, format_type(a.atttypid, a.atttypmod)
              FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
             WHERE c.relnamespace = 'streamsets'::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY c.relname, a.attnum
            """);
        var shape = columns.GroupBy(c => c.Table).ToDictionary(g => g.Key, g => g.Select(c => (c.Column, c.Type)).ToList());
        return new RowSnapshot(shape, await ReadAsync(database, shape, table => table));
    }

    /// <summary>The same tables and columns read again; a table renamed by the migration is read under its new name.</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> ReadAgainAsync(TestDatabase database,
        Func<string, string>? renamed = null) =>
        await ReadAsync(database, shape, renamed ?? (table => table));

    private static async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> ReadAsync(TestDatabase database,
        Dictionary<string, List<(string Column, string Type)>> shape, Func<string, string> tableName)
    {
        var rows = new Dictionary<string, IReadOnlyList<string>>();
        foreach (var (table, columns) in shape)
        {
            var values = string.Join(", ", columns.Select(c => $"\"{c.Column}\"::{c.Type}"));
            rows[table] = (await database.QueryAsync<string>($"SELECT row({values})::text FROM streamsets.\"{tableName(table)}\""))
                .Order(StringComparer.Ordinal).ToList();
        }
        return rows;
    }
}
