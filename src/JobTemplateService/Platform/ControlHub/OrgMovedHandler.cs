using Microsoft.Extensions.Options;

namespace JobTemplateService.Platform.ControlHub;

/// <summary>
/// Control Hub answers 308 with a Location when an organization moved to another base URL.
/// Re-send the same request there (method and body kept) and remember the new base for every
/// later call, as StreamSets' own Java client does — only where <see cref="ControlHubRedirects"/>
/// allows, since the re-sent request carries the credential.
/// </summary>
internal sealed class OrgMovedHandler(ControlHubSite site, IOptions<ControlHubClientOptions> options, ILogger<OrgMovedHandler> logger)
    : DelegatingHandler
{
    public const string RefusedCode = "CONTROL_HUB_REDIRECT_REFUSED";
    private const int MaxHops = 3;
    private volatile Uri? movedBase;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        // Requests are built on the site's base URL (ControlHubClient resolves it before sending).
        var configuredBase = site.Known ?? request.RequestUri!;
        if (movedBase is { } moved && request.RequestUri is { } uri && configuredBase.IsBaseOf(uri))
        {
            request.RequestUri = new Uri(moved, configuredBase.MakeRelativeUri(uri));
        }

        var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(ct);
        for (var hop = 0; ; hop++)
        {
            var response = await base.SendAsync(request, ct);
            if (response.StatusCode != System.Net.HttpStatusCode.PermanentRedirect
                || response.Headers.Location is not { } location || hop == MaxHops)
            {
                return response;
            }

            var target = new Uri(request.RequestUri!, location);
            if (ControlHubRedirects.Refusal(configuredBase, target, options.Value.RedirectHosts()) is { } refusal)
            {
                response.Dispose();
                logger.LogWarning("Control Hub answered 308 to {Target}; not followed: {Reason}", target.GetLeftPart(UriPartial.Authority), refusal);
                throw new ControlHubException(308, RefusedCode, $"Control Hub answered 308 (organization moved) with a redirect to " +
                    $"{target.GetLeftPart(UriPartial.Authority)}, which is not followed: {refusal}. If the organization really moved, " +
                    "set url in platform.ini [streamsets] to its new address, or allow the host in ControlHubClient:AllowedRedirectHosts.");
            }
            Remember(request.RequestUri!, target, configuredBase);
            response.Dispose();
            request = Copy(request, target, body);
        }
    }

    private void Remember(Uri requested, Uri target, Uri configuredBase)
    {
        // Compare unescaped: Location may spell job ids (uuid:org) with ':' where we sent '%3A'.
        var suffix = Uri.UnescapeDataString((movedBase ?? configuredBase).MakeRelativeUri(requested).OriginalString);
        var targetText = Uri.UnescapeDataString(target.GetLeftPart(UriPartial.Path) + target.Query);
        if (suffix.Length > 0 && targetText.EndsWith(suffix, StringComparison.Ordinal))
        {
            movedBase = new Uri(targetText[..^suffix.Length]);
            logger.LogWarning("Control Hub organization moved; using {BaseUrl} from now on", movedBase);
        }
    }

    private static HttpRequestMessage Copy(HttpRequestMessage original, Uri target, byte[]? body)
    {
        var copy = new HttpRequestMessage(original.Method, target);
        foreach (var header in original.Headers) copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        if (body is not null)
        {
            copy.Content = new ByteArrayContent(body);
            foreach (var header in original.Content!.Headers) copy.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
        return copy;
    }
}
