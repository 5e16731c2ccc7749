using System.Text.Json;

namespace JobTemplateService.WebConsole;

/// <summary>One input of the launch form, generated from a property of the template's parameter contract.</summary>
public sealed record FormField(string Key, string Label, string InputType, bool Required, string? Default, string? Help,
    IReadOnlyList<string> Choices, string? Min, string? Max, string? Step, string? Pattern, string? Example)
{
    /// <summary>
    /// The contract's properties as inputs: enum → select, boolean → checkbox, integer/number → number,
    /// format date / date-time → date pickers, writeOnly → password, anything else → text. readOnly
    /// properties are the template's own (static) values and get no input.
    /// </summary>
    public static IReadOnlyList<FormField> FromContract(JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object || !schema.TryGetProperty("properties", out var properties)
            || properties.ValueKind != JsonValueKind.Object) return [];
        var required = schema.TryGetProperty("required", out var r) && r.ValueKind == JsonValueKind.Array
            ? r.EnumerateArray().Select(e => e.GetString()).ToHashSet() : [];
        var fields = new List<FormField>();
        foreach (var property in properties.EnumerateObject())
        {
            var p = property.Value;
            if (p.ValueKind != JsonValueKind.Object || Bool(p, "readOnly")) continue;
            var type = Text(p, "type");
            var choices = p.TryGetProperty("enum", out var e) && e.ValueKind == JsonValueKind.Array
                ? e.EnumerateArray().Select(Scalar).ToList() : [];
            var input = choices.Count > 0 ? "select"
                : Bool(p, "writeOnly") ? "password"
                : type == "boolean" ? "checkbox"
                : type is "integer" or "number" ? "number"
                : Text(p, "format") switch { "date" => "date", "date-time" => "datetime-local", "email" => "email", "uri" => "url", _ => "text" };
            var example = p.TryGetProperty("examples", out var ex) && ex.ValueKind == JsonValueKind.Array && ex.GetArrayLength() > 0
                ? Scalar(ex[0]) : null;
            fields.Add(new FormField(property.Name, Text(p, "title") ?? property.Name, input, required.Contains(property.Name),
                p.TryGetProperty("default", out var d) ? Scalar(d) : null, Text(p, "description"), choices,
                Number(p, "minimum") ?? Number(p, "exclusiveMinimum"), Number(p, "maximum") ?? Number(p, "exclusiveMaximum"),
                type == "integer" ? "1" : type == "number" ? "any" : null, Text(p, "pattern"), example));
        }
        return fields;
    }

    /// <summary>A template without a contract: its required parameters, as text.</summary>
    public static IReadOnlyList<FormField> FromRequired(IEnumerable<string> required) =>
        required.Select(k => new FormField(k, k, "text", true, null, "Required by the template.", [], null, null, null, null, null)).ToList();

    /// <summary>A value from a form, as the API takes it (a string; the contract reads "30" as a number).</summary>
    public string? Normalize(string? posted) => InputType switch
    {
        "checkbox" => posted is "true" or "on" ? "true" : "false",
        "datetime-local" when !string.IsNullOrEmpty(posted) && posted.Length == 16 => posted + ":00Z", // the picker has no seconds or zone
        "datetime-local" when !string.IsNullOrEmpty(posted) && !posted.EndsWith('Z') => posted + "Z",
        _ => string.IsNullOrEmpty(posted) ? null : posted,
    };

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string? Number(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetRawText() : null;

    private static bool Bool(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    private static string Scalar(JsonElement e) => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText();
}
