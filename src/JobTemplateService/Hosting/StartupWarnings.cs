using JobTemplateService.Configuration;
using JobTemplateService.Security;

namespace JobTemplateService.Hosting;

/// <summary>What the service says loudly once it has started: settings that are safe only in a demo.</summary>
internal static class StartupWarnings
{
    public static void WarnAtStartup(this WebApplication app)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var security = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SecurityOptions>>().Value;
            if (security.AuthenticationDisabled)
            {
                app.Logger.LogWarning(
                    "!!! AUTHENTICATION IS DISABLED (Security:Mode=None): anyone who can reach this port can launch jobs and read runs. " +
                    "Use this only for a local demo; set Security:Mode=ApiKeys and create keys for anything else. !!!");
            }
            WarnAboutReadableConfigurationFiles(app);
        });
    }

    /// <summary>database.ini and platform.ini hold the database password and the Control Hub credential: only their owner should read them.</summary>
    private static void WarnAboutReadableConfigurationFiles(WebApplication app)
    {
        if (OperatingSystem.IsWindows()) return;
        var directory = ConfigurationFiles.ResolveDirectory(app.Configuration);
        foreach (var file in new[] { ConfigurationFiles.DatabaseFile, ConfigurationFiles.PlatformFile })
        {
            var path = Path.Combine(directory, file);
            if (!File.Exists(path)) continue;
            var mode = File.GetUnixFileMode(path);
            if ((mode & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) == 0) continue;
            app.Logger.LogWarning("{File} can be read by users other than its owner (mode {Mode}); it holds secrets: chmod 600 {Path}",
                file, Convert.ToString((int)mode, 8).PadLeft(4, '0'), path);
        }
    }
}
