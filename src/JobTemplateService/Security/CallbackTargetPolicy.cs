using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace JobTemplateService.Security;

/// <summary>appsettings.json, section Callbacks: what a deployment opens for its callbacks (comma-separated).</summary>
internal sealed class CallbackTargetOptions
{
    /// <summary>CIDR blocks callbacks may reach although they are internal, e.g. 10.20.0.0/16.</summary>
    public string? AllowedNetworks { get; set; }

    /// <summary>Host names (or *.suffix) whose callbacks may reach any address, e.g. ci.internal,*.corp.example.com.</summary>
    public string? AllowedHosts { get; set; }

    public IReadOnlyList<NetworkRange> Networks() => Split(AllowedNetworks).Select(c => NetworkRange.Parse(c)).ToList();

    public IReadOnlyList<string> Hosts() => Split(AllowedHosts);

    private static List<string> Split(string? list) =>
        (list ?? "").Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}

/// <summary>
/// Where a completion callback may go (DESIGN §8). Checked at launch, for a clear 400, and again on
/// the address each delivery actually connects to, so a name that resolves elsewhere later (DNS
/// rebinding) gets no further.
/// </summary>
internal sealed class CallbackTargetPolicy(IOptions<CallbackTargetOptions> options)
{
    private const string Opening = "set Callbacks:AllowedNetworks (CIDR blocks) or Callbacks:AllowedHosts to open it";

    /// <summary>Why a connection from this host name to this address is refused, or null.</summary>
    public string? Refusal(string host, IPAddress address)
    {
        var o = options.Value;
        if (o.Hosts().Any(allowed => HostMatches(host, allowed))) return null;
        var effective = NetworkRange.Effective(address);
        if (o.Networks().Any(n => n.Contains(effective) || n.Contains(address))) return null;
        var range = NetworkRange.Internal.FirstOrDefault(n => n.Contains(effective));
        return range is null ? null : $"callback target refused: {host} is {address}, a {range.Kind} address; {Opening}";
    }

    /// <summary>At launch: the URL's literal address, or what its name resolves to now (a name that does not resolve is left to delivery).</summary>
    public async Task<string?> CheckAsync(Uri url, CancellationToken ct)
    {
        var host = url.IdnHost;
        foreach (var address in await ResolveAsync(host, lenient: true, ct))
        {
            if (Refusal(host, address) is { } refusal) return refusal;
        }
        return null;
    }

    /// <summary>SocketsHttpHandler.ConnectCallback: connects only to addresses the policy allows.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = await ResolveAsync(host, lenient: false, ct);
        var allowed = addresses.Where(a => Refusal(host, a) is null).ToList();
        if (allowed.Count == 0)
            throw new CallbackTargetRefusedException(addresses.Select(a => Refusal(host, a)).FirstOrDefault() ?? $"{host} resolves to no address");
        for (var i = 0; ; i++)
        {
            var socket = new Socket(allowed[i].AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(allowed[i], context.DnsEndPoint.Port), ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException) when (i < allowed.Count - 1)
            {
                socket.Dispose();
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
    }

    private static async Task<IPAddress[]> ResolveAsync(string host, bool lenient, CancellationToken ct)
    {
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal)) return [literal];
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            if (lenient) timeout.CancelAfter(TimeSpan.FromSeconds(2));
            return await Dns.GetHostAddressesAsync(host, timeout.Token);
        }
        catch (Exception e) when (lenient && e is SocketException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return [];
        }
    }

    private static bool HostMatches(string host, string allowed) => allowed.StartsWith("*.", StringComparison.Ordinal)
        ? host.EndsWith(allowed[1..], StringComparison.OrdinalIgnoreCase)
        : string.Equals(host, allowed, StringComparison.OrdinalIgnoreCase);
}

internal sealed class CallbackTargetRefusedException(string message) : Exception(message);
