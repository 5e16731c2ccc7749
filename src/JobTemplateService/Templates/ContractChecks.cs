extern alias JsonSchemaNet;

using System.Text.Json;
using System.Text.Json.Nodes;
using JsonSchemaNet::Json.Schema;

namespace JobTemplateService.Templates;

/// <summary>
/// What a contract must be before it is saved: a valid draft 2020-12 schema of an object whose
/// parameters are scalars, self-contained (no remote $ref: nothing is fetched at validation
/// time), with every default valid against its own property.
/// </summary>
internal static class ContractChecks
{
    public const string Draft202012 = "https://json-schema.org/draft/2020-12/schema";
    private static readonly HashSet<string> ScalarTypes = ["string", "integer", "number", "boolean"];

    /// <summary>Every problem with the contract (none: <paramref name="contract"/> is the compiled contract).</summary>
    public static List<string> Check(JsonNode? node, out ParameterContract? contract)
    {
        contract = null;
        var problems = new List<string>();
        if (node is not JsonObject document)
        {
            problems.Add("The parameter contract must be a JSON Schema object.");
            return problems;
        }
        if (document["$schema"] is { } dialect && !IsString(dialect, Draft202012))
            problems.Add($"'$schema' must be '{Draft202012}' (draft 2020-12) or absent.");
        if (document["type"] is { } type && !IsString(type, "object"))
            problems.Add("The contract describes one instance's parameters: its 'type' must be 'object'.");
        problems.AddRange(References(document).Where(r => !r.StartsWith('#')).Select(r =>
            $"'$ref' '{r}' is remote: a contract must be self-contained (only '#…' references), nothing is fetched."));
        foreach (var (key, property) in document["properties"] as JsonObject ?? [])
        {
            var types = ContractValues.DeclaredTypes(property);
            if (!types.IsSubsetOf(ScalarTypes))
                problems.Add($"'properties.{key}.type' must be string, integer, number or boolean: parameter values are scalars.");
            if (property is JsonObject p && p.ContainsKey("default") && !ContractValues.IsScalar(p["default"]))
                problems.Add($"The default of '{key}' must be a string, number or boolean.");
            if (property is JsonObject w && w.ContainsKey("default") && w["writeOnly"]?.GetValueKind() == JsonValueKind.True)
                problems.Add($"'{key}' is writeOnly (a secret) and cannot have a default: discovery would show it.");
        }
        if (problems.Count > 0) return problems;

        ParameterContract compiled;
        try
        {
            compiled = ParameterContract.Compile(document);
        }
        catch (Exception ex) when (ex is JsonSchemaException or RefResolutionException or ArgumentException or JsonException)
        {
            problems.Add($"The parameter contract is not a valid JSON Schema: {ex.Message}");
            return problems;
        }
        foreach (var (key, value) in compiled.Defaults())
        {
            var errors = compiled.Validate(new Dictionary<string, string> { [key] = value }, "default");
            if (errors.TryGetValue($"default.{key}", out var messages))
                problems.Add($"The default of '{key}' breaks its own schema: {string.Join(" ", messages)}");
        }
        if (problems.Count == 0) contract = compiled;
        return problems;
    }

    private static bool IsString(JsonNode node, string expected) =>
        node.GetValueKind() == JsonValueKind.String && node.GetValue<string>() == expected;

    private static IEnumerable<string> References(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (name, value) in o)
                {
                    if (name is "$ref" or "$dynamicRef" && value?.GetValueKind() == JsonValueKind.String) yield return value.GetValue<string>();
                    foreach (var inner in References(value)) yield return inner;
                }
                break;
            case JsonArray a:
                foreach (var inner in a.SelectMany(References)) yield return inner;
                break;
        }
    }
}
