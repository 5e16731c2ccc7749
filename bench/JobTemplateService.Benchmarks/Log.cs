namespace JobTemplateService.Benchmarks;

internal static class Log
{
    private static readonly DateTime Start = DateTime.UtcNow;

    public static void Info(string message) => Console.WriteLine($"[{(DateTime.UtcNow - Start).TotalSeconds,7:0.0}s] {message}");
}
