extern alias JsonSchemaNet;

using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using JsonSchemaNet::Json.Schema;

namespace JobTemplateService.Templates;

/// <summary>
/// A template's parameter contract: a JSON Schema (draft 2020-12) for one instance's dynamic
/// parameters, evaluated by JsonSchema.Net. Launch, plan and the console all validate through
/// <see cref="Validate"/>, so they report the same violations at the same paths.
/// </summary>
internal sealed class ParameterContract
{
    private static readonly ConcurrentDictionary<string, ParameterContract> Compiled = new(StringComparer.Ordinal);

    // A private registry: only the contract itself and the built-in meta-schemas resolve, nothing is fetched.
    private static BuildOptions Build() => new() { SchemaRegistry = new SchemaRegistry(), Dialect = Dialect.Draft202012 };

    private static readonly EvaluationOptions Evaluation = new()
    {
        OutputFormat = OutputFormat.List,
        RequireFormatValidation = true, // 2020-12 makes format an annotation unless asked for
    };

    private readonly JsonSchema schema;

    private ParameterContract(JsonSchema schema, JsonObject document)
    {
        this.schema = schema;
        Document = document;
        Properties = document["properties"] as JsonObject ?? [];
        Required = (document["required"] as JsonArray ?? []).Select(n => n?.GetValue<string>() ?? "").ToList();
    }

    public JsonObject Document { get; }
    public JsonObject Properties { get; }
    public IReadOnlyList<string> Required { get; }

    /// <summary>Defaults of the described parameters, as the strings the platform receives.</summary>
    public IEnumerable<(string Key, string Value)> Defaults() =>
        Properties.Where(p => p.Value is JsonObject o && o["default"] is JsonValue)
            .Select(p => (p.Key, ContractValues.Text(p.Value!["default"]!)));

    /// <summary>The compiled contract of a stored schema; a broken one (saved by hand in SQL) throws <see cref="ContractException"/>.</summary>
    public static ParameterContract? For(JobTemplate template)
    {
        if (template.ParametersSchema is not { } text) return null;
        if (Compiled.TryGetValue(text, out var cached)) return cached;
        var problems = ContractChecks.Check(JsonNode.Parse(text), out var contract);
        if (contract is null) throw new ContractException(string.Join(" ", problems));
        if (Compiled.Count > 1_000) Compiled.Clear();
        return Compiled[text] = contract;
    }

    internal static ParameterContract Compile(JsonObject document) =>
        new(JsonSchema.Build(JsonSerializer.SerializeToElement(document), Build()), document);

    /// <summary>
    /// Every violation of the contract by one instance's values, keyed by the JSON path of the
    /// parameter (a missing required one at the path it would have) under <paramref name="path"/>.
    /// </summary>
    public Dictionary<string, List<string>> Validate(IReadOnlyDictionary<string, string> values, string path)
    {
        var instance = new JsonObject();
        foreach (var (key, value) in values) instance[key] = ContractValues.Coerce(value, Properties[key]);
        var results = schema.Evaluate(JsonSerializer.SerializeToElement(instance), Evaluation);
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        if (results.IsValid) return errors;

        void Add(string key, string message)
        {
            var at = key.Length == 0 ? path : $"{path}.{key}";
            if (!errors.TryGetValue(at, out var list)) errors[at] = list = [];
            if (!list.Contains(message)) list.Add(message);
        }
        foreach (var detail in results.Details ?? [])
        {
            if (detail.Errors is not { Count: > 0 }) continue;
            var key = ParameterName(detail.InstanceLocation.ToString());
            foreach (var (keyword, message) in detail.Errors)
            {
                if (keyword == "required" && key.Length == 0)
                    foreach (var missing in Required.Where(r => !values.ContainsKey(r))) Add(missing, $"'{missing}' is required.");
                else if (detail.EvaluationPath.ToString().EndsWith("/additionalProperties", StringComparison.Ordinal))
                    Add(key, $"'{key}' is not a parameter of this template.");
                else
                    Add(key, message);
            }
        }
        return errors;
    }

    /// <summary>"/CITY" → "CITY" (JSON Pointer unescaped); the instance root → "".</summary>
    private static string ParameterName(string pointer)
    {
        if (pointer.Length <= 1) return "";
        var first = pointer[1..].Split('/')[0];
        return first.Replace("~1", "/").Replace("~0", "~");
    }
}

internal sealed class ContractException(string message) : Exception(message);
