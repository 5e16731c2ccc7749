using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace JobTemplateService.Templates;

/// <summary>
/// Values travel as strings (the original's callers send "30"); before validation a string is
/// read as the type its property declares when it is exactly that type's JSON text, so "30"
/// passes "type": "number" while "thirty" is reported by the schema as a type error.
/// </summary>
internal static partial class ContractValues
{
    public static JsonNode Coerce(string value, JsonNode? property)
    {
        var types = DeclaredTypes(property);
        if (types.Count == 0) types = LiteralTypes(property);
        if (types.Count == 0 || types.Contains("string")) return JsonValue.Create(value);
        if ((types.Contains("integer") || types.Contains("number")) && JsonNumber().IsMatch(value))
            return JsonNode.Parse(value)!;
        if (types.Contains("boolean") && value is "true" or "false") return JsonValue.Create(value == "true");
        return JsonValue.Create(value);
    }

    /// <summary>A scalar as the string the platform receives (numbers in invariant culture).</summary>
    public static string Text(JsonNode value) => value.GetValueKind() switch
    {
        JsonValueKind.String => value.GetValue<string>(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Number => value.ToJsonString(),
        _ => value.ToJsonString(),
    };

    public static bool IsScalar(JsonNode? value) =>
        value?.GetValueKind() is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False;

    /// <summary>Without a type, the kinds of the enum's or const's values say what "1" or "true" was meant as.</summary>
    private static HashSet<string> LiteralTypes(JsonNode? property)
    {
        var literals = ((property as JsonObject)?["enum"] as JsonArray ?? []).Append((property as JsonObject)?["const"]);
        return literals.Select(l => l?.GetValueKind() switch
        {
            JsonValueKind.Number => "number",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            JsonValueKind.String => "string",
            _ => null,
        }).OfType<string>().ToHashSet();
    }

    public static HashSet<string> DeclaredTypes(JsonNode? property)
    {
        var type = (property as JsonObject)?["type"];
        return type switch
        {
            JsonValue v when v.GetValueKind() == JsonValueKind.String => [v.GetValue<string>()],
            JsonArray a => a.Where(t => t?.GetValueKind() == JsonValueKind.String).Select(t => t!.GetValue<string>()).ToHashSet(),
            _ => [],
        };
    }

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$")]
    private static partial Regex JsonNumber();
}
