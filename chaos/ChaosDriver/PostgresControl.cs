using System.Diagnostics;

namespace ChaosDriver;

/// <summary>Restarts the throwaway cluster with the project's own helpers (scripts/lib/postgres.sh).</summary>
internal sealed class PostgresControl(ChaosSettings settings)
{
    public async Task RestartAsync(string mode)
    {
        var script = $"""
            source "{settings.Root}/scripts/lib/postgres.sh"
            pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -m {mode} -w -t 120 restart >/dev/null
            """;
        using var process = Process.Start(new ProcessStartInfo("bash", ["-c", script]) { UseShellExecute = false })!;
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"pg_ctl restart failed with {process.ExitCode}");
    }
}
