using System.Reflection;

namespace JobTemplateService.Schema;

/// <summary>
/// Where the migrations come from: built into the service (sql/migrations/*.sql as embedded
/// resources, so a binary always carries exactly the schema it was built for), or a folder named
/// by Database:MigrationsDirectory, for trying a new migration before it is built in.
/// </summary>
internal static class MigrationSource
{
    private const string ResourcePrefix = "migrations/";

    public static IReadOnlyList<Migration> For(SchemaOptions options) =>
        string.IsNullOrWhiteSpace(options.MigrationsDirectory) ? BuiltIn() : FromDirectory(options.MigrationsDirectory);

    public static IReadOnlyList<Migration> BuiltIn()
    {
        var assembly = typeof(MigrationSource).Assembly;
        return Ordered(assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            .Select(name => new Migration(name[ResourcePrefix.Length..], Read(assembly, name))));
    }

    public static IReadOnlyList<Migration> FromDirectory(string directory) =>
        Ordered(Directory.EnumerateFiles(directory, "*.sql").Select(path => new Migration(Path.GetFileName(path), File.ReadAllText(path))));

    private static List<Migration> Ordered(IEnumerable<Migration> migrations) =>
        migrations.OrderBy(m => m.Name, StringComparer.Ordinal).ToList();

    private static string Read(Assembly assembly, string resource)
    {
        using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
        return reader.ReadToEnd();
    }
}
