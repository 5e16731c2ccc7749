using System.Diagnostics;
using YamlDotNet.Serialization;

namespace JobTemplateService.Tests;

/// <summary>deploy/kubernetes as kustomize builds it (kubectl kustomize, offline), as plain maps and lists.</summary>
public static class Manifests
{
    private static readonly Lazy<IReadOnlyList<Dictionary<object, object>>> built = new(Build);

    public static IReadOnlyList<Dictionary<object, object>> All => built.Value;

    public static Dictionary<object, object> Single(string kind, string? name = null) =>
        All.Single(o => (string)o["kind"] == kind && (name is null || (string)Map(o, "metadata")["name"] == name));

    public static Dictionary<object, object> Map(object node, params string[] path)
    {
        foreach (var key in path) node = ((Dictionary<object, object>)node)[key];
        return (Dictionary<object, object>)node;
    }

    public static List<object> List(object node, params string[] path)
    {
        for (var i = 0; i < path.Length - 1; i++) node = ((Dictionary<object, object>)node)[path[i]];
        return (List<object>)((Dictionary<object, object>)node)[path[^1]];
    }

    public static IReadOnlyList<Dictionary<object, object>> Parse(string yaml)
    {
        var deserializer = new DeserializerBuilder().Build();
        return yaml.Split("\n---", StringSplitOptions.RemoveEmptyEntries)
            .Select(d => deserializer.Deserialize<Dictionary<object, object>?>(d))
            .Where(d => d is not null).Select(d => d!).ToList();
    }

    private static IReadOnlyList<Dictionary<object, object>> Build()
    {
        var info = new ProcessStartInfo("kubectl", ["kustomize", RepositoryFiles.Path("deploy", "kubernetes")])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException("kubectl is needed to build deploy/kubernetes: apt-get install kubernetes-client");
        }
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"kubectl kustomize deploy/kubernetes failed: {errors}");
        return Parse(output.Result);
    }
}
