using System.Runtime.InteropServices;

namespace JobTemplateService.Platform.Local;

/// <summary>
/// Whom local jobs run as. A service running as root starts each job as LocalPlatform:RunAsUser
/// (never root unless LocalPlatform:AllowRoot), in its own PID namespace, so a job can read
/// neither the service's environment and files nor another job's environment. A service that is
/// not root cannot switch users: its jobs run as the service's own, dedicated, unprivileged user.
/// </summary>
internal sealed record JobAccount(string Name, uint Uid, uint Gid, string? Home, bool Switches)
{
    public static bool ServiceIsRoot => GetEffectiveUserId() == 0;

    /// <summary>The account for these options, or null with the one-line reason the service must not start.</summary>
    public static JobAccount? Resolve(LocalPlatformOptions options, bool serviceIsRoot, out string? problem)
    {
        problem = null;
        var wanted = options.RunAsUser?.Trim();
        if (!serviceIsRoot)
        {
            var self = Lookup(GetEffectiveUserId().ToString());
            if (string.IsNullOrEmpty(wanted) || Lookup(wanted) is { } same && same.Uid == self?.Uid)
                return self ?? new JobAccount(Environment.UserName, GetEffectiveUserId(), 0, null, Switches: false);
            problem = Setting("RunAsUser", $"the service runs as '{Environment.UserName}', not root, so it cannot start jobs as '{wanted}'; " +
                "run it as root, or leave RunAsUser unset to run jobs as the service's own (dedicated, unprivileged) user");
            return null;
        }
        if (string.IsNullOrEmpty(wanted))
        {
            if (options.AllowRoot) return new JobAccount("root", 0, 0, "/root", Switches: true);
            problem = Setting("RunAsUser", "missing; the service runs as root and does not run local jobs as root: name an unprivileged " +
                "user (scripts/run.sh and the Docker image create jts-job), or set LocalPlatform:AllowRoot=true");
            return null;
        }
        if (Lookup(wanted) is not { } account)
        {
            problem = Setting("RunAsUser", $"no user '{wanted}' on this machine");
            return null;
        }
        if (account.Uid == 0 && !options.AllowRoot)
        {
            problem = Setting("RunAsUser", $"'{wanted}' is root; name an unprivileged user, or set LocalPlatform:AllowRoot=true");
            return null;
        }
        return account;
    }

    public const string Unshare = "/usr/bin/unshare";
    public const string SetPriv = "/usr/bin/setpriv";

    /// <summary>
    /// The program and arguments that run a shell command as this account: as root, in a PID (and
    /// mount) namespace of its own with /proc showing only its processes, then as the account with
    /// no way to gain privileges (no_new_privs: setuid programs do not elevate).
    /// </summary>
    public IReadOnlyList<string> Command(string shellCommand, params string[] shellArguments)
    {
        string[] shell = ["/bin/sh", "-c", shellCommand, .. shellArguments];
        if (!Switches) return shell;
        string[] isolated = [Unshare, "--pid", "--fork", "--mount-proc", "--kill-child", "--"];
        if (Uid == 0) return [.. isolated, .. shell];
        var groups = Home is null ? "--clear-groups" : "--init-groups";
        return [.. isolated, SetPriv, $"--reuid={Uid}", $"--regid={Gid}", groups, "--no-new-privs", "--", .. shell];
    }

    /// <summary>A user by name or number; a number without a passwd entry still runs (without supplementary groups).</summary>
    private static JobAccount? Lookup(string user)
    {
        var entry = uint.TryParse(user, out var uid) ? GetPasswordEntryByUid(uid) : GetPasswordEntryByName(user);
        if (entry == IntPtr.Zero) return uint.TryParse(user, out uid) ? new JobAccount(user, uid, uid, null, Switches: true) : null;
        var passwd = Marshal.PtrToStructure<Passwd>(entry);
        return new JobAccount(Marshal.PtrToStringUTF8(passwd.Name) ?? user, passwd.Uid, passwd.Gid, Marshal.PtrToStringUTF8(passwd.Directory),
            Switches: true);
    }

    private static string Setting(string key, string problem) =>
        $"appsettings.json {LocalPlatformOptions.Section}:{key}: {problem} (or set the environment variable {LocalPlatformOptions.Section}__{key})";

    [StructLayout(LayoutKind.Sequential)]
    private struct Passwd
    {
        public IntPtr Name;
        public IntPtr Password;
        public uint Uid;
        public uint Gid;
        public IntPtr Gecos;
        public IntPtr Directory;
        public IntPtr Shell;
    }

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEffectiveUserId();

    [DllImport("libc", EntryPoint = "getpwnam")]
    private static extern IntPtr GetPasswordEntryByName([MarshalAs(UnmanagedType.LPUTF8Str)] string name);

    [DllImport("libc", EntryPoint = "getpwuid")]
    private static extern IntPtr GetPasswordEntryByUid(uint uid);
}
