using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace JobTemplateService.Catalog;

/// <summary>
/// `templates apply`: validates the whole file first, prints what would change (create, update
/// with the fields that differ, unchanged, delete with --prune), then changes it through the
/// same audited store the admin API uses. ${NAME} in a string is the environment variable NAME.
/// </summary>
internal static partial class TemplateApply
{
    public static async Task<int> RunAsync(IServiceProvider services, string path, bool dryRun, bool prune, TextWriter output,
        CancellationToken ct)
    {
        List<(string Name, TemplateDefinition Definition)> wanted;
        try
        {
            wanted = Read(path, services.GetRequiredService<TemplateDefinitionValidator>());
        }
        catch (Exception ex) when (ex is TemplateFileException or IOException or YamlDotNet.Core.YamlException)
        {
            await output.WriteLineAsync($"{path}: {ex.Message}");
            return 2;
        }

        var store = services.GetRequiredService<TemplateStore>();
        var current = (await store.ListAsync(ct)).ToDictionary(d => d.PatternName, d => d.Template, StringComparer.Ordinal);
        var changes = 0;
        foreach (var (name, definition) in wanted)
        {
            var line = Describe(name, definition, current.GetValueOrDefault(name));
            if (!line.StartsWith('=')) changes++;
            await output.WriteLineAsync(line);
        }
        var doomed = prune ? current.Keys.Where(k => wanted.All(w => w.Name != k)).Order(StringComparer.Ordinal).ToList() : [];
        foreach (var name in doomed) await output.WriteLineAsync($"- {name}");
        changes += doomed.Count;
        if (dryRun || changes == 0)
        {
            await output.WriteLineAsync(dryRun ? $"Dry run: {changes} change(s) listed, none made." : "Nothing to change.");
            return 0;
        }

        var changedBy = "templates apply (" + Environment.UserName + ")";
        // Deletions first: a rule renamed in the file keeps its (source-type, target-type) pair.
        foreach (var name in doomed)
        {
            var (outcome, live) = await store.DeleteAsync(name, changedBy, ct);
            if (outcome == TemplateDeletion.LiveInstances) return await FailAsync(output, name, $"not deleted: {live} instance(s) are live");
        }
        foreach (var (name, definition) in wanted)
        {
            if (await store.PutAsync(name, definition, changedBy, ct) is TemplatePut.Invalid invalid)
                return await FailAsync(output, name, string.Join("; ", invalid.Errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));
        }
        await output.WriteLineAsync($"Applied {changes} change(s).");
        return 0;
    }

    private static List<(string, TemplateDefinition)> Read(string path, TemplateDefinitionValidator validator)
    {
        using var reader = new StreamReader(path);
        var problems = new List<string>();
        var result = new List<(string, TemplateDefinition)>();
        foreach (var (name, body) in TemplateYaml.Read(reader))
        {
            var definition = TemplateDefinition.Parse(Expand(body, problems, name), out var problem)?.Normalized();
            if (definition is null)
            {
                problems.Add($"{name}: {problem}");
                continue;
            }
            problems.AddRange(validator.Validate(name, definition).Select(e => $"{name}: {e.Key}: {string.Join(" ", e.Value)}"));
            result.Add((name, definition));
        }
        if (problems.Count > 0) throw new TemplateFileException("the file is not valid; nothing was changed.\n  " + string.Join("\n  ", problems));
        return result;
    }

    private static string Describe(string name, TemplateDefinition wanted, TemplateDefinition? stored)
    {
        if (stored is null) return $"+ {name}";
        var unmasked = TemplateSecrets.Unmasked(wanted, stored, out _);
        var (a, b) = (JsonNode.Parse(unmasked.Canonical())!.AsObject(), JsonNode.Parse(stored.Canonical())!.AsObject());
        var fields = a.Select(p => p.Key).Where(k => !JsonNode.DeepEquals(a[k], b[k])).ToList();
        return fields.Count == 0 ? $"= {name}" : $"~ {name}: {string.Join(", ", fields)}";
    }

    private static JsonNode? Expand(JsonNode? node, List<string> problems, string name)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var key in o.Select(p => p.Key).ToList()) o[key] = Expand(o[key]?.DeepClone(), problems, name);
                return o;
            case JsonArray a:
                return new JsonArray(a.Select(n => Expand(n?.DeepClone(), problems, name)).ToArray());
            case JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String:
                return JsonValue.Create(Variable().Replace(v.GetValue<string>(), m =>
                {
                    if (Environment.GetEnvironmentVariable(m.Groups[1].Value) is { } value) return value;
                    problems.Add($"{name}: the environment variable {m.Groups[1].Value} is not set.");
                    return m.Value;
                }));
            default:
                return node;
        }
    }

    private static async Task<int> FailAsync(TextWriter output, string name, string message)
    {
        await output.WriteLineAsync($"{name}: {message}. The changes listed before it were made.");
        return 1;
    }

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex Variable();
}
