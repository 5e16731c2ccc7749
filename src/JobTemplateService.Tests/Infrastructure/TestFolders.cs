namespace JobTemplateService.Tests;

/// <summary>
/// Temporary folders for tests (configuration files, migrations, exports, the local jobs' working
/// folder): all inside one folder of this test run, removed when the run ends, so that running
/// the suite leaves nothing behind in the temporary directory.
/// </summary>
public static class TestFolders
{
    private static readonly Lazy<string> Root = new(CreateRoot);

    /// <summary>A new empty folder; its name starts with the purpose, to be found when a test fails.</summary>
    public static string Create(string purpose) =>
        Directory.CreateDirectory(Path.Combine(Root.Value, $"{purpose}-{Guid.NewGuid():N}")).FullName;

    private static string CreateRoot()
    {
        var root = Directory.CreateTempSubdirectory("jts-tests-").FullName;
        // As root, local jobs run as another user: they must be able to pass through to their working folder.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(root, (UnixFileMode)Convert.ToInt32("711", 8));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Remove(root);
        return root;
    }

    private static void Remove(string root)
    {
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A job's process still writing there at exit: the folder stays, as every temporary folder used to.
        }
    }
}
