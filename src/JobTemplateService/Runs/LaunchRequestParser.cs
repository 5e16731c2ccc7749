using System.Text.Json;
using JobTemplateService.Templates;

namespace JobTemplateService.Runs;

internal static class LaunchRequestParser
{
    private const int MaxFieldLength = 256;
    private static readonly string[] RequiredStrings = ["user-id", "user-run-id", "source-type", "target-type"];

    /// <summary>Checks every field and names each bad one; returns null when anything is wrong.</summary>
    public static LaunchRequest? Parse(JsonElement root, int maxInstances, Dictionary<string, string[]> errors)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors[""] = ["The body must be a JSON object."];
            return null;
        }

        var strings = new Dictionary<string, string>();
        foreach (var name in RequiredStrings)
        {
            if (!root.TryGetProperty(name, out var value) || value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
                errors[name] = [$"'{name}' is required."];
            else if (value.ValueKind != JsonValueKind.String)
                errors[name] = [$"'{name}' must be a string."];
            else if (!TextRules.TryGetString(value, out var text) || !TextRules.IsCleanField(text))
                errors[name] = [$"'{name}' {TextRules.FieldMessage}."];
            else if (string.IsNullOrWhiteSpace(text))
                errors[name] = [$"'{name}' must not be empty."];
            else if (text.Length > MaxFieldLength)
                errors[name] = [$"'{name}' must be at most {MaxFieldLength} characters."];
            else
                strings[name] = text;
        }

        var sets = ParseRuntimeParameters(root, maxInstances, errors);
        var callbackUrl = OptionalString(root, "callback-url", 2048, errors);
        var callbackSecret = OptionalString(root, "callback-secret", 256, errors);
        if (callbackUrl is not null && (!Uri.TryCreate(callbackUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https")))
            errors["callback-url"] = ["'callback-url' must be an absolute http or https URL."];
        if (callbackSecret is not null && !root.TryGetProperty("callback-url", out _))
            errors["callback-secret"] = ["'callback-secret' needs a 'callback-url'."];
        if (errors.Count > 0) return null;
        return new LaunchRequest(strings["user-id"], strings["user-run-id"], strings["source-type"], strings["target-type"], sets!,
            callbackUrl, callbackSecret);
    }

    private static string? OptionalString(JsonElement root, string name, int maxLength, Dictionary<string, string[]> errors)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        var text = "";
        if (value.ValueKind == JsonValueKind.String && (!TextRules.TryGetString(value, out text) || !TextRules.IsCleanField(text)))
        {
            errors[name] = [$"'{name}' {TextRules.FieldMessage}."];
            return null;
        }
        if (value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(text) || text.Length > maxLength)
        {
            errors[name] = [$"'{name}' must be a non-empty string of at most {maxLength} characters."];
            return null;
        }
        return text;
    }

    private static List<IReadOnlyDictionary<string, string>>? ParseRuntimeParameters(
        JsonElement root, int maxInstances, Dictionary<string, string[]> errors)
    {
        const string name = "runtime-parameters";
        if (!root.TryGetProperty(name, out var array) || array.ValueKind is JsonValueKind.Null)
        {
            errors[name] = ["'runtime-parameters' is required: an array with one object of parameters per instance."];
            return null;
        }
        if (array.ValueKind != JsonValueKind.Array || array.GetArrayLength() == 0)
        {
            errors[name] = ["'runtime-parameters' must be a non-empty array of objects, one per instance."];
            return null;
        }
        if (array.GetArrayLength() > maxInstances)
        {
            errors[name] = [$"At most {maxInstances} instances can be launched at once; got {array.GetArrayLength()}."];
            return null;
        }

        var sets = new List<IReadOnlyDictionary<string, string>>();
        var index = 0;
        foreach (var element in array.EnumerateArray())
        {
            var path = $"{name}[{index++}]";
            if (element.ValueKind != JsonValueKind.Object)
            {
                errors[path] = ["Must be an object mapping parameter names to values."];
                continue;
            }
            var set = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in element.EnumerateObject())
            {
                if (!TryGetName(property, out var parameter))
                {
                    errors[path] = ["A parameter name holds an unpaired surrogate."];
                    continue;
                }
                var key = $"{path}.{parameter}";
                var value = property.Value.ValueKind == JsonValueKind.String
                    ? (TextRules.TryGetString(property.Value, out var text) ? text : null) : JobTemplate.ScalarText(property.Value);
                if (JobEnvironmentNames.IdentifierProblem(parameter) is { } problem)
                    errors[key] = [problem];
                else if (set.ContainsKey(parameter))
                    errors[key] = ["The parameter appears twice."];
                else if (property.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array or JsonValueKind.Null)
                    errors[key] = ["Must be a string, number or boolean."];
                else if (value is null || !TextRules.IsCleanValue(value))
                    errors[key] = [$"The value {TextRules.ValueMessage}."];
                else
                    set[parameter] = value;
            }
            sets.Add(set);
        }
        return sets;
    }

    private static bool TryGetName(JsonProperty property, out string name)
    {
        try
        {
            name = property.Name;
            return true;
        }
        catch (InvalidOperationException)
        {
            name = "";
            return false;
        }
    }
}
