using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace FakeControlHub;

/// <summary>
/// The fake Control Hub in-process: <c>await using var hub = await FakeControlHubServer.StartAsync(options);</c>
/// then point the service at <see cref="Url"/>. State, faults and counts are reachable directly.
/// </summary>
public sealed class FakeControlHubServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private FakeControlHubServer(WebApplication app, string url)
    {
        this.app = app;
        Url = url;
    }

    public string Url { get; }
    public JobStore Jobs => app.Services.GetRequiredService<JobStore>();
    public FaultSwitch Faults => app.Services.GetRequiredService<FaultSwitch>();
    public CallStats Calls => app.Services.GetRequiredService<CallStats>();

    public PollCycles Cycles => app.Services.GetRequiredService<PollCycles>();

    /// <summary>Starts Kestrel on 127.0.0.1 and the given port (0 = a free one).</summary>
    public static async Task<FakeControlHubServer> StartAsync(FakeOptions? options = null, int port = 0, CancellationToken ct = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = Build(builder, options ?? new FakeOptions());
        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new FakeControlHubServer(app, address.TrimEnd('/'));
    }

    /// <summary>Registers the fake's services and endpoints on a builder (also used by the standalone process).</summary>
    public static WebApplication Build(WebApplicationBuilder builder, FakeOptions options)
    {
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<JobStore>();
        builder.Services.AddSingleton<FaultSwitch>();
        builder.Services.AddSingleton<CallStats>();
        builder.Services.AddSingleton<PollCycles>();
        builder.Services.AddSingleton<CallGuard>();
        var app = builder.Build();
        app.MapControlHubApi(app.Services.GetRequiredService<CallGuard>());
        app.MapSimApi();
        return app;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
