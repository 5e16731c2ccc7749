namespace JobTemplateService.Tests;

/// <summary>Files of the repository the tests were built from, found by walking up from the test binaries.</summary>
public static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    /// <summary>
    /// The service's entry assembly. The copy next to the tests comes with its runtimeconfig.json
    /// (the project reference copies it); the service's own build output is the fallback.
    /// </summary>
    public static string ServiceDll()
    {
        var besideTests = System.IO.Path.Combine(AppContext.BaseDirectory, "JobTemplateService.dll");
        if (File.Exists(besideTests) && File.Exists(System.IO.Path.ChangeExtension(besideTests, ".runtimeconfig.json")))
            return besideTests;
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<configuration>/<tfm>/
        var own = Path("src", "JobTemplateService", "bin", configuration, "net10.0", "JobTemplateService.dll");
        return File.Exists(own) ? own : throw new FileNotFoundException("JobTemplateService.dll not found; build the solution first.", own);
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "JobTemplateService.sln"))) return directory.FullName;
        }
        throw new DirectoryNotFoundException($"No JobTemplateService.sln above {AppContext.BaseDirectory}.");
    }
}
