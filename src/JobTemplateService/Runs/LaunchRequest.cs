using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using JobTemplateService.Templates;

namespace JobTemplateService.Runs;

/// <summary>The launch body, shared by POST /v1/runs and the original POST /streamsets/job-template-runner.</summary>
public sealed record LaunchRequest(
    string UserId,
    string UserRunId,
    string SourceType,
    string TargetType,
    IReadOnlyList<IReadOnlyDictionary<string, string>> RuntimeParameters,
    string? CallbackUrl = null,
    string? CallbackSecret = null)
{
    /// <summary>A stable hash of what the request asks for, to tell a replay from a different request.</summary>
    internal string Fingerprint()
    {
        var canonical = new StringBuilder();
        foreach (var field in new[] { UserId, UserRunId, SourceType, TargetType, CallbackUrl ?? "", CallbackSecret ?? "" }) Append(canonical, field);
        foreach (var set in RuntimeParameters)
        {
            canonical.Append('{');
            foreach (var (key, value) in set.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                Append(canonical, key);
                Append(canonical, value);
            }
            canonical.Append('}');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())));
    }

    /// <summary>Without an Idempotency-Key these four fields identify a launch (README, Repeating a launch safely).</summary>
    internal string NaturalKey()
    {
        var canonical = new StringBuilder();
        foreach (var field in new[] { UserId, UserRunId, SourceType, TargetType }) Append(canonical, field);
        return "natural:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())));
    }

    private static void Append(StringBuilder builder, string value) => builder.Append(value.Length).Append(':').Append(value);
}

internal static class LaunchRequestParser
{
    private const int MaxFieldLength = 256;
    private const int MaxParameterNameLength = 256;
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
            else if (string.IsNullOrWhiteSpace(value.GetString()))
                errors[name] = [$"'{name}' must not be empty."];
            else if (value.GetString()!.Length > MaxFieldLength)
                errors[name] = [$"'{name}' must be at most {MaxFieldLength} characters."];
            else
                strings[name] = value.GetString()!;
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
        if (value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()) || value.GetString()!.Length > maxLength)
        {
            errors[name] = [$"'{name}' must be a non-empty string of at most {maxLength} characters."];
            return null;
        }
        return value.GetString();
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
                var key = $"{path}.{property.Name}";
                if (property.Name.Length == 0 || property.Name.Length > MaxParameterNameLength || property.Name.Any(char.IsControl))
                    errors[key] = [$"Parameter names must be 1 to {MaxParameterNameLength} printable characters."];
                else if (set.ContainsKey(property.Name))
                    errors[key] = ["The parameter appears twice."];
                else if (property.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array or JsonValueKind.Null)
                    errors[key] = ["Must be a string, number or boolean."];
                else
                    set[property.Name] = JobTemplate.ScalarText(property.Value);
            }
            sets.Add(set);
        }
        return sets;
    }
}
