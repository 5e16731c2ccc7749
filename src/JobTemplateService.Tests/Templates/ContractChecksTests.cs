using System.Text.Json.Nodes;

namespace JobTemplateService.Tests;

/// <summary>A contract is checked when it is saved: what is refused, and with which words.</summary>
public sealed class ContractChecksTests
{
    [Theory]
    [InlineData("""{"type": "object", "required": "CITY"}""", "not a valid JSON Schema")]
    [InlineData("""{"type": "object", "properties": {"N": {"type": "string", "pattern": "(unclosed"}}}""", "not a valid JSON Schema")]
    [InlineData("""{"type": "object", "properties": {"N": {"type": "integr"}}}""", "must be string, integer, number or boolean")]
    [InlineData("""{"type": "object", "properties": {"N": {"minimum": "low"}}}""", "not a valid JSON Schema")]
    [InlineData("""{"type": "object", "properties": {"N": {"$ref": "https://example.com/schemas/n.json"}}}""", "is remote")]
    [InlineData("""{"type": "object", "properties": {"N": {"type": "integer", "minimum": 5, "default": 1}}}""", "The default of 'N' breaks its own schema")]
    [InlineData("""{"type": "object", "properties": {"C": {"enum": ["a"], "default": "b"}}}""", "The default of 'C' breaks its own schema")]
    [InlineData("""{"type": "array"}""", "its 'type' must be 'object'")]
    [InlineData("""{"type": "object", "properties": {"L": {"type": "array"}}}""", "parameter values are scalars")]
    [InlineData("""{"$schema": "http://json-schema.org/draft-07/schema#", "type": "object"}""", "draft 2020-12")]
    [InlineData("""[1, 2]""", "must be a JSON Schema object")]
    [InlineData("""{"type": "object", "properties": {"KEY": {"type": "string", "writeOnly": true, "default": "s3cret"}}}""", "cannot have a default")]
    public void ARefusedContractNamesTheProblem(string schema, string expected)
    {
        var problems = ContractChecks.Check(JsonNode.Parse(schema), out var contract);

        Assert.Null(contract);
        Assert.Contains(problems, p => p.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void AValidContractWithLocalReferencesAndDefaultsCompiles()
    {
        var schema = """
            {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
             "$defs": {"city": {"type": "string", "enum": ["London", "Paris"]}},
             "properties": {"CITY": {"$ref": "#/$defs/city", "default": "London"}, "N": {"type": "integer", "default": 3, "minimum": 1},
                            "KEY": {"type": "string", "writeOnly": true, "title": "Key", "description": "d", "examples": ["x"]}}}
            """;

        var problems = ContractChecks.Check(JsonNode.Parse(schema), out var contract);

        Assert.Empty(problems);
        Assert.NotNull(contract);
        Assert.Equal(["Berlin"], contract.Validate(new Dictionary<string, string> { ["CITY"] = "Berlin" }, "p")
            .Select(e => e.Key == "p.CITY" ? "Berlin" : e.Key));
    }
}
