using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace JobTemplateService.Tests;

/// <summary>
/// One more service process on a database and Control Hub owned by the test, so a test can stop
/// one replica and start another while the platform's jobs live on. Disposing it stops only the
/// service (its leases are handed back as on a real shutdown).
/// </summary>
public sealed class ServiceReplica : IAsyncDisposable
{
    private readonly WebApplicationFactory<Program> factory;

    private ServiceReplica(WebApplicationFactory<Program> factory)
    {
        this.factory = factory;
        Client = factory.CreateClient();
    }

    public HttpClient Client { get; }

    public static ServiceReplica Start(TestDatabase database, ControlHubSimulator controlHub,
        Action<Dictionary<string, string?>>? configure = null)
    {
        var settings = TestApp.DefaultSettings(database, controlHub.Url);
        configure?.Invoke(settings);
        return new ServiceReplica(new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
            builder.ConfigureAppConfiguration((_, configuration) => configuration.AddInMemoryCollection(settings))));
    }

    public T Service<T>() where T : notnull => factory.Services.GetRequiredService<T>();

    public Task<int> MonitorPassAsync() => Service<InstanceMonitor>().RunOnceAsync(CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await factory.DisposeAsync();
    }
}
