using Dapper;

namespace JobTemplateService.Common;

internal static class GridReaderExtensions
{
    /// <summary>
    /// Reads the result sets that are still unread. A GridReader disposed with results left makes
    /// Dapper cancel the command: Npgsql then opens a new connection to PostgreSQL to send the cancel
    /// request (a forked server process each time), and a cancel that arrives while the batch still
    /// runs aborts the batch's implicit transaction. Call it before leaving any QueryMultiple whose
    /// later statements (refresh_run_state, the stored response) return rows nobody reads.
    /// </summary>
    public static async Task ConsumeAsync(this SqlMapper.GridReader results)
    {
        while (!results.IsConsumed) await results.ReadAsync();
    }
}
