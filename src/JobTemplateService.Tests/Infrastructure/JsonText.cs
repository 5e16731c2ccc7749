using System.Text.Json;
using System.Text.Json.Nodes;

namespace JobTemplateService.Tests;

/// <summary>JSON compared by meaning: object keys sorted, so jsonb's key order does not matter.</summary>
public static class JsonText
{
    public static string Canonical(JsonElement element) => Sort(JsonNode.Parse(element.GetRawText()))?.ToJsonString() ?? "null";

    private static JsonNode? Sort(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Key, Sort(p.Value?.DeepClone())))),
        JsonArray a => new JsonArray(a.Select(i => Sort(i?.DeepClone())).ToArray()),
        _ => node?.DeepClone(),
    };
}

/// <summary>
/// The system clock with a sub-microsecond part on every reading (…0.1234567), which Postgres
/// cannot store: shows whether an answer carries a time the database does not have.
/// </summary>
public sealed class SubMicrosecondClock : TimeProvider
{
    public override DateTimeOffset GetUtcNow()
    {
        var now = base.GetUtcNow();
        return now.AddTicks(-(now.Ticks % 10) + 7);
    }
}
