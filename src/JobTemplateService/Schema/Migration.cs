using System.Text.RegularExpressions;

namespace JobTemplateService.Schema;

/// <summary>
/// One versioned schema change: a SQL script from sql/migrations/, applied once, in its own
/// transaction, in name order. A script whose leading comment block has the line
/// <c>-- compatibility: backward</c> promises that the previous build of the service still works
/// against the schema it leaves, so that build may keep running after it is applied.
/// </summary>
internal sealed partial record Migration(string Name, string Sql)
{
    public bool BackwardCompatible { get; } = IsMarkedBackwardCompatible(Sql);

    public static bool IsMarkedBackwardCompatible(string sql) =>
        sql.Split('\n').Select(line => line.Trim())
            .TakeWhile(line => line.Length == 0 || line.StartsWith("--", StringComparison.Ordinal))
            .Any(line => CompatibilityLine().IsMatch(line));

    [GeneratedRegex(@"^--\s*compatibility:\s*backward\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex CompatibilityLine();
}
