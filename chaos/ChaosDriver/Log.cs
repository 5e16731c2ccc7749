namespace ChaosDriver;

/// <summary>Progress lines, stamped with the seconds since the driver started.</summary>
internal static class Log
{
    private static readonly DateTime Started = DateTime.UtcNow;

    public static double Elapsed => (DateTime.UtcNow - Started).TotalSeconds;

    public static void Info(string message) => Console.WriteLine($"[{Elapsed,6:F1}s] {message}");

    public static void Phase(string message) => Console.WriteLine($"[{Elapsed,6:F1}s] == {message}");
}
