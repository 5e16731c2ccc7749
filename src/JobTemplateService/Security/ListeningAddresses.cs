using System.Net;

namespace JobTemplateService.Security;

/// <summary>
/// Where Kestrel will listen, read from configuration as Kestrel reads it (urls, Kestrel:Endpoints,
/// http_ports), to keep Security:Mode=None on loopback. Only localhost and loopback IP literals
/// count: a host name, *, + or 0.0.0.0 binds every interface.
/// </summary>
internal static class ListeningAddresses
{
    public static IReadOnlyList<string> Configured(IConfiguration configuration)
    {
        var urls = new List<string>();
        foreach (var endpoint in configuration.GetSection("Kestrel:Endpoints").GetChildren())
        {
            if (endpoint["Url"] is { Length: > 0 } url) urls.Add(url);
        }
        if (configuration["urls"] is { Length: > 0 } configured) urls.AddRange(configured.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        else if (urls.Count == 0)
        {
            foreach (var (key, scheme) in new[] { ("http_ports", "http"), ("https_ports", "https") })
            {
                foreach (var port in (configuration[key] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    urls.Add($"{scheme}://*:{port}");
            }
        }
        return urls;
    }

    public static bool AllLoopback(IEnumerable<string> urls) => urls.All(IsLoopback);

    private static bool IsLoopback(string url)
    {
        var start = url.IndexOf("://", StringComparison.Ordinal);
        var authority = start < 0 ? url : url[(start + 3)..];
        var host = authority.StartsWith('[') ? authority[..(authority.IndexOf(']') + 1)] : authority.Split(':', '/')[0];
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address);
    }
}
