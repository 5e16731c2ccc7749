using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace JobTemplateService.Tests;

/// <summary>
/// A caller's completion-callback endpoint (WireMock): answers each POST with the status chosen
/// for its number (1, 2, …) and keeps every request, raw body and headers, to assert on.
/// </summary>
public sealed class CallbackReceiver : IDisposable
{
    public const string Path = "/hooks/jts";
    private readonly WireMockServer server;
    private int count;

    public CallbackReceiver(int? port = null)
    {
        server = port is null ? WireMockServer.Start() : WireMockServer.Start(port.Value);
        server.Given(Request.Create().WithPath(Path).UsingPost())
            .RespondWith(Response.Create().WithCallback(_ => new ResponseMessage { StatusCode = StatusFor(Interlocked.Increment(ref count)) }));
    }

    /// <summary>The status for the n-th request (1-based); 200 unless told otherwise.</summary>
    public Func<int, int> StatusFor { get; set; } = _ => 200;

    public string Url => server.Url + Path;

    /// <summary>Receivers listen on loopback, which callbacks may not reach unless a deployment opens it.</summary>
    public static void AllowLoopback(Dictionary<string, string?> settings) => settings["Callbacks:AllowedNetworks"] = "127.0.0.0/8,::1/128";

    public IReadOnlyList<ReceivedCallback> Received => server.LogEntries
        .Where(e => e.RequestMessage!.Path == Path)
        .OrderBy(e => e.RequestMessage!.DateTime)
        .Select(e => new ReceivedCallback(e.RequestMessage!.BodyAsBytes ?? [],
            e.RequestMessage.Headers!.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase)))
        .ToList();

    /// <summary>Waits until at least this many callbacks arrived; fails the test otherwise.</summary>
    public async Task<IReadOnlyList<ReceivedCallback>> WaitForAsync(int atLeast, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        while (Received.Count < atLeast)
        {
            Assert.True(clock.Elapsed < (timeout ?? TimeSpan.FromSeconds(30)),
                $"Expected {atLeast} callback(s), received {Received.Count} in {clock.Elapsed.TotalSeconds:0.#} s");
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
        return Received;
    }

    /// <summary>A local port nothing listens on right now (for a receiver that is down).</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public void Dispose() => server.Stop();
}

/// <summary>One POST the receiver got: the raw body as sent, and its headers.</summary>
public sealed record ReceivedCallback(byte[] Body, IReadOnlyDictionary<string, string> Headers)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement.Clone();

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>
    /// The receiver's check, as README documents it: HMAC-SHA256 of "&lt;t&gt;.&lt;raw body&gt;" keyed with
    /// the secret, compared in constant time with v1 of X-JTS-Signature.
    /// </summary>
    public bool SignatureVerifies(string secret)
    {
        if (Header("X-JTS-Signature") is not { } header) return false;
        var parts = header.Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        if (!parts.TryGetValue("t", out var t) || !parts.TryGetValue("v1", out var v1) || v1.Length != 64) return false;
        byte[] signed = [.. Encoding.UTF8.GetBytes(t + "."), .. Body];
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed);
        return CryptographicOperations.FixedTimeEquals(expected, Convert.FromHexString(v1));
    }

    /// <summary>The t of X-JTS-Signature as a time.</summary>
    public DateTimeOffset SignedAt =>
        DateTimeOffset.FromUnixTimeSeconds(long.Parse(Header("X-JTS-Signature")!.Split(',')[0]["t=".Length..]));
}
