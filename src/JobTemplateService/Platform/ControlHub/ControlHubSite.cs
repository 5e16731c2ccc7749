using Microsoft.Extensions.Options;

namespace JobTemplateService.Platform.ControlHub;

/// <summary>
/// Where the organization's Control Hub is: platform.ini's url when given, else the landing URL
/// the StreamSets login service names for the organization in the credential token, as the SDK
/// finds it. Looked up from startup on, in the background (every LoginRetryDelay until found) and
/// on demand, then kept. The service starts either way: while the URL is unknown, Control Hub
/// calls fail with <see cref="PlatformUnavailableException"/> before anything is sent (a launch
/// answers 503), and after a failed look-up readiness reports the platform as refusing calls.
/// </summary>
internal sealed class ControlHubSite(IOptions<ControlHubOptions> options, IOptions<ControlHubClientOptions> client,
    OrgInfoClient login, TimeProvider time, ILogger<ControlHubSite> logger) : IHostedService
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly CancellationTokenSource stopping = new();
    private Task? lookUp;
    private volatile Uri? found;
    private DateTimeOffset askAgainAt;
    private volatile string? problem;

    public string Organization => options.Value.Organization ?? "";

    /// <summary>The base URL, when configured or already found.</summary>
    public Uri? Known => options.Value.HasUrl ? options.Value.BaseUri : found;

    /// <summary>True after the login service failed to name the URL, until it does.</summary>
    public bool IsUnknown => Known is null && problem is not null;

    public async ValueTask<Uri> BaseUriAsync(CancellationToken ct)
    {
        if (Known is { } known) return known;
        await gate.WaitAsync(ct);
        try
        {
            if (found is { } already) return already;
            var wait = askAgainAt - time.GetUtcNow();
            if (wait > TimeSpan.Zero) throw Unavailable(wait, null);
            try
            {
                found = await login.LandingBaseAsync(options.Value, Organization, client.Value.ReadTimeout, ct);
                problem = null;
                logger.LogInformation("Control Hub of organization {Organization} is at {BaseUrl}, as named by the login service {LoginUrl}",
                    Organization, found, options.Value.LoginUri);
                return found;
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                problem = ex.Message;
                askAgainAt = time.GetUtcNow() + client.Value.LoginRetryDelay;
                logger.LogWarning("The login service {LoginUrl} did not name organization {Organization}'s Control Hub URL: {Problem}",
                    options.Value.LoginUri, Organization, ex.Message);
                throw Unavailable(client.Value.LoginRetryDelay, ex);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    public Task StartAsync(CancellationToken ct)
    {
        if (options.Value.IsConfigured && !options.Value.HasUrl) lookUp = Task.Run(() => LookUpUntilFoundAsync(stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken ct)
    {
        await stopping.CancelAsync();
        if (lookUp is not null) await lookUp.WaitAsync(ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Without this, a launch refused while the URL is unknown would never cause the next look-up.</summary>
    private async Task LookUpUntilFoundAsync(CancellationToken ct)
    {
        var pause = client.Value.LoginRetryDelay > TimeSpan.FromMilliseconds(100) ? client.Value.LoginRetryDelay : TimeSpan.FromMilliseconds(100);
        while (Known is null && !ct.IsCancellationRequested)
        {
            try
            {
                await BaseUriAsync(ct);
                return;
            }
            catch (PlatformUnavailableException)
            {
                // Logged where it failed; asked again after the pause.
            }
            catch (OperationCanceledException)
            {
                return;
            }
            await Task.Delay(pause, time, ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private PlatformUnavailableException Unavailable(TimeSpan retryAfter, Exception? inner) => new(
        $"Control Hub's URL is not known yet: the StreamSets login service did not name it ({problem}). " +
        "Set url in platform.ini [streamsets] to skip the look-up.", retryAfter < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : retryAfter, inner);
}
