using Dapper;
using JobTemplateService.Platform;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace JobTemplateService.Hosting;

/// <summary>Ready only when Postgres answers.</summary>
internal sealed class DatabaseHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            await using var connection = await dataSource.OpenConnectionAsync(timeout.Token);
            await connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: timeout.Token));
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"Postgres is not reachable ({ex.GetType().Name}).");
        }
    }
}

/// <summary>Ready only while no configured platform has an open circuit.</summary>
internal sealed class PlatformHealthCheck(PlatformRegistry platforms) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var refusing = platforms.Configured.Where(p => p.IsRefusingCalls).Select(p => p.Name).ToList();
        return Task.FromResult(refusing.Count == 0
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy($"Circuit open for: {string.Join(", ", refusing)}."));
    }
}
