using System.Text.Json.Nodes;
using System.Text.Json;
using System.Text.RegularExpressions;
using JobTemplateService.Common;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace JobTemplateService.Catalog;

/// <summary>
/// templates.yaml: "templates:" mapping each pattern name to the body PUT takes, in YAML. YAML is
/// read into JSON nodes (plain scalars typed as YAML's core schema types them, quoted ones stay
/// strings) so that the file and the API share one shape and one validation.
/// </summary>
internal static partial class TemplateYaml
{
    public static List<(string PatternName, JsonNode? Body)> Read(TextReader reader)
    {
        var stream = new YamlStream();
        stream.Load(reader);
        if (stream.Documents.Count == 0) return [];
        if (stream.Documents[0].RootNode is not YamlMappingNode root || !root.Children.TryGetValue(new YamlScalarNode("templates"), out var all))
            throw new TemplateFileException("The file must be a mapping with a 'templates' key.");
        if (all is YamlScalarNode { Value: null or "" }) return [];
        if (all is not YamlMappingNode templates)
            throw new TemplateFileException("'templates' must map each pattern name to its template.");
        return templates.Children.Select(p => (((YamlScalarNode)p.Key).Value ?? "", ToJson(p.Value))).ToList();
    }

    public static void Write(IEnumerable<TemplateDocument> documents, TextWriter writer)
    {
        var templates = new YamlMappingNode();
        foreach (var document in documents)
            templates.Add(Scalar(document.PatternName), ToYaml(JsonSerializer.SerializeToNode(document.Template, Json.Options)));
        writer.WriteLine("# Templates of JobTemplateService: `templates apply` this file to make the database match it.");
        writer.WriteLine("# Secret static values are masked (\"******\"); applying the mask keeps the stored value.");
        new YamlStream(new YamlDocument(new YamlMappingNode { { "templates", templates } })).Save(writer, assignAnchors: false);
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(p =>
            KeyValuePair.Create(((YamlScalarNode)p.Key).Value ?? "", ToJson(p.Value)))),
        YamlSequenceNode list => new JsonArray(list.Children.Select(ToJson).ToArray()),
        YamlScalarNode { Style: ScalarStyle.Plain } plain => PlainScalar(plain.Value ?? ""),
        YamlScalarNode scalar => JsonValue.Create(scalar.Value ?? ""),
        _ => throw new TemplateFileException($"Unsupported YAML at line {node.Start.Line}."),
    };

    private static JsonNode? PlainScalar(string value) => value switch
    {
        "" or "~" or "null" or "Null" or "NULL" => null,
        "true" or "True" or "TRUE" => JsonValue.Create(true),
        "false" or "False" or "FALSE" => JsonValue.Create(false),
        _ when Number().IsMatch(value) => JsonNode.Parse(value),
        _ => JsonValue.Create(value),
    };

    private static YamlNode ToYaml(JsonNode? node) => node switch
    {
        JsonObject o => new YamlMappingNode(o.Select(p => new KeyValuePair<YamlNode, YamlNode>(Scalar(p.Key), ToYaml(p.Value)))),
        JsonArray a => new YamlSequenceNode(a.Select(ToYaml)) { Style = a.Count == 0 ? YamlDotNet.Core.Events.SequenceStyle.Flow : YamlDotNet.Core.Events.SequenceStyle.Block },
        null => new YamlScalarNode("null") { Style = ScalarStyle.Plain },
        _ when node.GetValueKind() == JsonValueKind.String => Scalar(node.GetValue<string>()),
        _ => new YamlScalarNode(node.ToJsonString()) { Style = ScalarStyle.Plain },
    };

    /// <summary>A string, quoted whenever it would otherwise read back as something else.</summary>
    private static YamlScalarNode Scalar(string value)
    {
        var ambiguous = PlainScalar(value) is not JsonValue v || v.GetValueKind() != JsonValueKind.String
                        || value.Trim() != value || value.IndexOfAny([':', '#', '\n', '"', '\'', '{', '}', '[', ']', ',', '&', '*', '!', '|', '>', '%', '@', '`']) >= 0
                        || value.StartsWith('-') || value.StartsWith('?');
        return new YamlScalarNode(value) { Style = ambiguous ? ScalarStyle.DoubleQuoted : ScalarStyle.Plain };
    }

    [GeneratedRegex(@"^[-+]?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Number();
}

internal sealed class TemplateFileException(string message) : Exception(message);
