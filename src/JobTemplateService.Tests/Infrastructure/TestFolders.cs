namespace JobTemplateService.Tests;

/// <summary>
/// Temporary folders for tests (configuration files, migrations, exports, the local jobs' working
/// folder): all inside one folder of this test process, named with its process id and removed
/// when the process exits. The test platform may end a test host before its exit handlers run,
/// so each test process also removes the folders of test processes that no longer run.
/// </summary>
public static class TestFolders
{
    private const string Prefix = "jts-tests-";

    private static readonly Lazy<string> Root = new(CreateRoot);

    /// <summary>A new empty folder; its name starts with the purpose, to be found when a test fails.</summary>
    public static string Create(string purpose) =>
        Directory.CreateDirectory(Path.Combine(Root.Value, $"{purpose}-{Guid.NewGuid():N}")).FullName;

    private static string CreateRoot()
    {
        RemoveLeftovers();
        var root = Directory.CreateTempSubdirectory($"{Prefix}{Environment.ProcessId}-").FullName;
        // As root, local jobs run as another user: they must be able to pass through to their working folder.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(root, (UnixFileMode)Convert.ToInt32("711", 8));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Remove(root);
        return root;
    }

    private static void RemoveLeftovers()
    {
        foreach (var folder in Directory.EnumerateDirectories(Path.GetTempPath(), Prefix + "*"))
        {
            var rest = Path.GetFileName(folder)[Prefix.Length..];
            var dash = rest.IndexOf('-');
            if (dash > 0 && int.TryParse(rest[..dash], out var pid) && pid != Environment.ProcessId && !Running(pid)) Remove(folder);
        }
    }

    private static bool Running(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static void Remove(string root)
    {
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A job's process still writing there: the folder stays, and the next test process removes it.
        }
    }
}
