using System.Text.Json.Nodes;
using JobTemplateService.Security;

namespace JobTemplateService.Catalog;

/// <summary>
/// Secret static values never leave the service: answers, exports and the audit trail carry the
/// mask instead, and a definition sent back with the mask keeps the stored value (as AWX does
/// with $encrypted$), so export → apply round-trips without the secrets ever being written out.
/// </summary>
internal static class TemplateSecrets
{
    public static string[] Declared(TemplateDefinition t) =>
        (t.Options?.SecretParameters ?? []).Concat((t.Parameters?["properties"] as JsonObject ?? [])
            .Where(p => p.Value is JsonObject o && o["writeOnly"]?.GetValueKind() == System.Text.Json.JsonValueKind.True)
            .Select(p => p.Key)).Distinct().ToArray();

    public static TemplateDefinition Masked(TemplateDefinition t)
    {
        var declared = Declared(t);
        JsonObject Mask(JsonObject? values) => new((values ?? []).Select(p => KeyValuePair.Create(p.Key,
            SecretMasker.IsSecret(p.Key, declared) ? JsonValue.Create(SecretMasker.Mask) : p.Value?.DeepClone())));
        var s = t.StaticParameters;
        return s is null ? t : t with
        {
            StaticParameters = new TemplateStatics(Mask(s.SourceRuntimeParameters), Mask(s.DestinationRuntimeParameters),
                Mask(s.SourceConnectionInfo), Mask(s.DestinationConnectionInfo)),
        };
    }

    /// <summary>The definition with masked secret values replaced by the stored ones; the keys that have none.</summary>
    public static TemplateDefinition Unmasked(TemplateDefinition t, TemplateDefinition? stored, out List<string> unknown)
    {
        var declared = Declared(t);
        var storedValues = stored?.StaticParameters?.Columns().SelectMany(c => (c.Values ?? []).Select(p => (c.Field, p.Key, p.Value)))
            .ToList() ?? [];
        var missing = new List<string>();
        JsonObject Restore(string field, JsonObject? values) => new((values ?? []).Select(p =>
        {
            if (!IsMask(p.Value) || !SecretMasker.IsSecret(p.Key, declared)) return KeyValuePair.Create(p.Key, p.Value?.DeepClone());
            var real = storedValues.Where(s => s.Key == p.Key).OrderBy(s => s.Field == field ? 0 : 1).Select(s => s.Value).FirstOrDefault();
            if (real is null || IsMask(real)) missing.Add($"static-parameters.{field}.{p.Key}");
            return KeyValuePair.Create(p.Key, real?.DeepClone() ?? p.Value?.DeepClone());
        }));
        var s = t.StaticParameters!;
        unknown = missing;
        return t with
        {
            StaticParameters = new TemplateStatics(Restore("source-runtime-parameters", s.SourceRuntimeParameters),
                Restore("destination-runtime-parameters", s.DestinationRuntimeParameters),
                Restore("source-connection-info", s.SourceConnectionInfo), Restore("destination-connection-info", s.DestinationConnectionInfo)),
        };
    }

    private static bool IsMask(JsonNode? value) =>
        value?.GetValueKind() == System.Text.Json.JsonValueKind.String && value.GetValue<string>() == SecretMasker.Mask;
}
