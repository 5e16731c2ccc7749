namespace JobTemplateService.Tests;

/// <summary>
/// The parameter contract as every launch path applies it (ParameterMerger): each supported
/// keyword accepts a good value and reports a bad one at runtime-parameters[i].KEY.
/// </summary>
public sealed class ParameterContractTests
{
    [Theory]
    [InlineData("""{"type": "integer"}""", "30", "abc")]
    [InlineData("""{"type": "integer"}""", "-7", "3.5")]
    [InlineData("""{"type": "number"}""", "30.5", "thirty")]
    [InlineData("""{"type": "number"}""", "1e3", "1,5")]
    [InlineData("""{"type": "boolean"}""", "true", "yes")]
    [InlineData("""{"enum": ["London", "Paris"]}""", "Paris", "Berlin")]
    [InlineData("""{"const": "fixed"}""", "fixed", "other")]
    [InlineData("""{"enum": [1, 2, 3]}""", "2", "4")]
    [InlineData("""{"const": true}""", "true", "false")]
    [InlineData("""{"type": "string", "pattern": "^[A-Z]{2}$"}""", "UK", "uk")]
    [InlineData("""{"type": "string", "minLength": 2}""", "ab", "a")]
    [InlineData("""{"type": "string", "maxLength": 3}""", "abc", "abcd")]
    [InlineData("""{"type": "number", "minimum": 0}""", "0", "-1")]
    [InlineData("""{"type": "number", "maximum": 10}""", "10", "10.5")]
    [InlineData("""{"type": "number", "exclusiveMinimum": 0}""", "0.1", "0")]
    [InlineData("""{"type": "number", "exclusiveMaximum": 10}""", "9.9", "10")]
    [InlineData("""{"type": "string", "format": "date"}""", "2025-01-31", "2025-02-30x")]
    [InlineData("""{"type": "string", "format": "date-time"}""", "2025-01-31T10:00:00Z", "yesterday")]
    [InlineData("""{"type": "string", "format": "uri"}""", "https://example.com/a", "not a uri")]
    [InlineData("""{"type": "string", "format": "email"}""", "ann@example.com", "ann.example.com")]
    public void EachKeywordAcceptsAGoodValueAndReportsABadOneAtItsPath(string property, string good, string bad)
    {
        var template = Contract($$$"""{"type": "object", "properties": {"P": {{{property}}}}}""");

        var accepted = ParameterMerger.Merge(template, [Set(("P", good))]);
        var refused = ParameterMerger.Merge(template, [Set(("P", good)), Set(("P", bad))]);

        Assert.True(accepted.Succeeded, string.Join("; ", accepted.Errors.SelectMany(e => e.Value)));
        Assert.Equal(["runtime-parameters[1].P"], refused.Errors.Keys);
        Assert.NotEmpty(refused.Errors["runtime-parameters[1].P"][0]);
    }

    [Fact]
    public void EveryViolationIsReportedAtOnceAMissingRequiredKeyAtItsWouldBePath()
    {
        var template = Contract("""
            {"type": "object", "required": ["CITY", "DAY"], "additionalProperties": false,
             "properties": {"CITY": {"enum": ["London"]}, "DAY": {"type": "string", "format": "date"}, "N": {"type": "integer"}}}
            """);

        var merge = ParameterMerger.Merge(template, [Set(("CITY", "Berlin"), ("N", "x"), ("EXTRA", "1"))]);

        Assert.Equal(["runtime-parameters[0].CITY", "runtime-parameters[0].DAY", "runtime-parameters[0].EXTRA", "runtime-parameters[0].N"],
            merge.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("'DAY' is required.", merge.Errors["runtime-parameters[0].DAY"].Single());
        Assert.Equal("'EXTRA' is not a parameter of this template.", merge.Errors["runtime-parameters[0].EXTRA"].Single());
        Assert.Contains("4 parameter value(s) break the template's parameter contract", merge.Detail);
    }

    [Fact]
    public void DefaultsFillInBeforeTheMergeWithOriginDefaultAndStayStrings()
    {
        var template = Contract("""{"type": "object", "properties": {"MIN": {"type": "number", "default": 30}, "ON": {"type": "boolean", "default": true}}}""");

        var merged = ParameterMerger.Merge(template, [Set(), Set(("MIN", "12"))]);

        Assert.Equal(("30", "default", "true"), (merged.Instances[0].Values["MIN"], merged.Instances[0].Origins["MIN"], merged.Instances[0].Values["ON"]));
        Assert.Equal(("12", "caller"), (merged.Instances[1].Values["MIN"], merged.Instances[1].Origins["MIN"]));
    }

    [Fact]
    public void WithAContractRequiredParametersIsIgnoredWithoutOneItStillApplies()
    {
        var withContract = Contract("""{"type": "object"}""") with { RequiredParameters = ["CITY"] };
        var without = withContract with { ParametersSchema = null };

        Assert.True(ParameterMerger.Merge(withContract, [Set()]).Succeeded);
        Assert.Equal(["runtime-parameters[0].CITY"], ParameterMerger.Merge(without, [Set()]).Errors.Keys);
    }

    [Fact]
    public void AStaticKeyStaysLockedAndTheContractMayDescribeItReadOnly()
    {
        var template = Contract("""
            {"type": "object", "additionalProperties": false, "required": ["HTTP_MODE"],
             "properties": {"HTTP_MODE": {"type": "string", "readOnly": true, "enum": ["POLLING"]}, "CITY": {"type": "string"}}}
            """, """{"HTTP_MODE": "POLLING", "HTTP_METHOD": "GET"}""");

        var fine = ParameterMerger.Merge(template, [Set(("CITY", "London"))]);
        var locked = ParameterMerger.Merge(template, [Set(("CITY", "London"), ("HTTP_MODE", "POLLING"))]);

        Assert.True(fine.Succeeded, string.Join("; ", fine.Errors.SelectMany(e => e.Value)));
        Assert.Equal(["runtime-parameters[0].HTTP_MODE"], locked.Errors.Keys);
        Assert.Contains("does not allow overriding", locked.Errors["runtime-parameters[0].HTTP_MODE"][0]);
    }

    [Fact]
    public void ABrokenStoredContractRefusesTheLaunchNamingTheTemplate()
    {
        var template = Contract("""{"type": "object", "properties": {"N": {"type": "integr"}}}""");

        var merge = ParameterMerger.Merge(template, [Set(("N", "1"))]);

        Assert.Contains(ContractMerge.ContractPath, merge.Errors.Keys);
        Assert.NotNull(merge.Detail);
    }

    internal static JobTemplate Contract(string schema, string? sourceParameters = null) =>
        ParameterMergerTests.Template(("source_runtime_parameters", sourceParameters ?? "{}")) with { ParametersSchema = schema };

    private static IReadOnlyDictionary<string, string> Set(params (string Key, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => p.Value);
}
