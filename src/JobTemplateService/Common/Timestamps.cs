namespace JobTemplateService.Common;

internal static class Timestamps
{
    /// <summary>Now, at the database's precision (microseconds), so an answer and a later read agree.</summary>
    public static DateTime Now(TimeProvider time)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return now.AddTicks(-(now.Ticks % 10));
    }
}
