using System.Net;
using System.Net.Sockets;

namespace JobTemplateService.Security;

/// <summary>A CIDR block (10.0.0.0/8, fc00::/7) and the blocks no callback may reach unless configured.</summary>
internal sealed record NetworkRange(IPAddress Network, int PrefixLength, string Kind)
{
    /// <summary>Loopback, link-local, private, shared, unspecified, multicast, broadcast and reserved blocks.</summary>
    public static readonly IReadOnlyList<NetworkRange> Internal =
    [
        Parse("0.0.0.0/8", "unspecified"), Parse("10.0.0.0/8", "private"), Parse("100.64.0.0/10", "shared (carrier-grade NAT)"),
        Parse("127.0.0.0/8", "loopback"), Parse("169.254.0.0/16", "link-local"), Parse("172.16.0.0/12", "private"),
        Parse("192.0.0.0/24", "IETF protocol"), Parse("192.168.0.0/16", "private"), Parse("198.18.0.0/15", "benchmarking"),
        Parse("224.0.0.0/4", "multicast"), Parse("240.0.0.0/4", "reserved or broadcast"),
        Parse("::/128", "unspecified"), Parse("::1/128", "loopback"), Parse("fe80::/10", "link-local"), Parse("fec0::/10", "site-local"),
        Parse("fc00::/7", "unique local (private)"), Parse("ff00::/8", "multicast"),
    ];

    public static NetworkRange Parse(string cidr, string kind = "configured")
    {
        var parts = cidr.Trim().Split('/');
        if (parts.Length != 2 || !IPAddress.TryParse(parts[0], out var network) || !int.TryParse(parts[1], out var length)
            || length < 0 || length > (network.AddressFamily == AddressFamily.InterNetwork ? 32 : 128))
            throw new FormatException($"'{cidr}' is not a CIDR block such as 10.1.0.0/16 or fd00::/8");
        return new NetworkRange(network, length, kind);
    }

    public bool Contains(IPAddress address)
    {
        if (address.AddressFamily != Network.AddressFamily) return false;
        var a = address.GetAddressBytes();
        var n = Network.GetAddressBytes();
        for (var bit = 0; bit < PrefixLength; bit++)
        {
            var mask = 0x80 >> (bit % 8);
            if ((a[bit / 8] & mask) != (n[bit / 8] & mask)) return false;
        }
        return true;
    }

    /// <summary>
    /// The IPv4 address an IPv6 one carries (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16,
    /// IPv4-compatible ::a.b.c.d), so 127.0.0.1 cannot hide inside an IPv6 literal; else the address itself.
    /// </summary>
    public static IPAddress Effective(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address;
        if (address.IsIPv4MappedToIPv6) return address.MapToIPv4();
        var b = address.GetAddressBytes();
        if (b[0] == 0x20 && b[1] == 0x02) return new IPAddress(b[2..6]);
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4..12].All(x => x == 0)) return new IPAddress(b[12..]);
        if (b[..12].All(x => x == 0) && !(b[12] == 0 && b[13] == 0 && b[14] == 0 && b[15] <= 1)) return new IPAddress(b[12..]);
        return address;
    }
}
