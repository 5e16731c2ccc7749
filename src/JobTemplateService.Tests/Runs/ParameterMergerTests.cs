namespace JobTemplateService.Tests;

public sealed class ParameterMergerTests
{
    [Theory]
    [InlineData("source_runtime_parameters,destination_runtime_parameters", "destination_runtime_parameters")]
    [InlineData("source_runtime_parameters,source_connection_info", "source_connection_info")]
    [InlineData("destination_runtime_parameters,source_connection_info", "source_connection_info")]
    [InlineData("source_connection_info,destination_connection_info", "destination_connection_info")]
    [InlineData("source_runtime_parameters,destination_runtime_parameters,source_connection_info,destination_connection_info",
        "destination_connection_info")]
    public void LaterColumnWinsOnAKeyClash(string columns, string winner)
    {
        var template = Template(columns.Split(',').Select(c => (c, $$"""{"BUCKET": "from {{c}}"}""")).ToArray());

        var merged = Assert.Single(ParameterMerger.Merge(template, [new Dictionary<string, string>()]).Instances);

        Assert.Equal($"from {winner}", merged.Values["BUCKET"]);
        Assert.Equal($"static:{winner}", merged.Origins["BUCKET"]);
    }

    [Fact]
    public void MergedSetIsTheCallersValuesPlusEveryStaticKeyWithItsOrigin()
    {
        var template = Template(("source_runtime_parameters", """{"HTTP_MODE": "POLLING"}"""),
            ("destination_connection_info", """{"GCS_CONNECTION": "conn-1"}"""));

        var result = ParameterMerger.Merge(template, [new Dictionary<string, string> { ["CITY"] = "London" }]);

        Assert.True(result.Succeeded);
        var merged = Assert.Single(result.Instances);
        Assert.Equal(new Dictionary<string, string> { ["HTTP_MODE"] = "POLLING", ["GCS_CONNECTION"] = "conn-1", ["CITY"] = "London" },
            merged.Values);
        Assert.Equal(new Dictionary<string, string>
        {
            ["HTTP_MODE"] = "static:source_runtime_parameters", ["GCS_CONNECTION"] = "static:destination_connection_info",
            ["CITY"] = ParameterMerger.CallerOrigin,
        }, merged.Origins);
    }

    [Fact]
    public void EachParameterSetIsMergedOnItsOwn()
    {
        var template = Template(("source_runtime_parameters", """{"HTTP_MODE": "POLLING"}"""));

        var result = ParameterMerger.Merge(template,
            [new Dictionary<string, string> { ["CITY"] = "London", ["LANG"] = "en" }, new Dictionary<string, string> { ["CITY"] = "Lyon" }]);

        Assert.Equal(2, result.Instances.Count);
        Assert.Equal(("London", "en"), (result.Instances[0].Values["CITY"], result.Instances[0].Values["LANG"]));
        Assert.Equal("Lyon", result.Instances[1].Values["CITY"]);
        Assert.False(result.Instances[1].Values.ContainsKey("LANG"));
        Assert.All(result.Instances, i => Assert.Equal("POLLING", i.Values["HTTP_MODE"]));
    }

    [Fact]
    public void CallerValueForALockedStaticKeyIsAnErrorNamingTheSetAndKey()
    {
        var template = Template(("source_runtime_parameters", """{"HTTP_MODE": "POLLING"}"""));

        var result = ParameterMerger.Merge(template,
            [new Dictionary<string, string> { ["CITY"] = "London" }, new Dictionary<string, string> { ["HTTP_MODE"] = "PUSH" }]);

        Assert.False(result.Succeeded);
        Assert.Equal(["runtime-parameters[1].HTTP_MODE"], result.Errors.Keys);
        Assert.Contains("HTTP_MODE", result.Detail);
    }

    [Fact]
    public void OverridableStaticKeyTakesTheCallersValueAndSaysSo()
    {
        var template = Template(("source_runtime_parameters", """{"HTTP_MODE": "POLLING"}""")) with { OverridableParameters = ["HTTP_MODE"] };

        var result = ParameterMerger.Merge(template, [new Dictionary<string, string> { ["HTTP_MODE"] = "PUSH" }]);

        Assert.True(result.Succeeded);
        var merged = Assert.Single(result.Instances);
        Assert.Equal("PUSH", merged.Values["HTTP_MODE"]);
        Assert.StartsWith(ParameterMerger.CallerOrigin, merged.Origins["HTTP_MODE"]);
        Assert.Contains("source_runtime_parameters", merged.Origins["HTTP_MODE"]);
    }

    [Fact]
    public void MissingRequiredParameterIsAnErrorForEachSetThatLacksIt()
    {
        var template = Template() with { RequiredParameters = ["CITY", "GCS_FOLDER"] };

        var result = ParameterMerger.Merge(template,
            [new Dictionary<string, string> { ["CITY"] = "London", ["GCS_FOLDER"] = "UK" }, new Dictionary<string, string> { ["CITY"] = "Lyon" }]);

        Assert.False(result.Succeeded);
        Assert.Equal(["runtime-parameters[1].GCS_FOLDER"], result.Errors.Keys);
        Assert.Contains("GCS_FOLDER", result.Detail);
        Assert.DoesNotContain("CITY", result.Detail);
    }

    [Fact]
    public void StaticScalarValuesBecomeStrings()
    {
        var template = Template(("source_runtime_parameters", """{"PORT": 8080, "TLS": true, "RATIO": 0.25}"""));

        var merged = Assert.Single(ParameterMerger.Merge(template, [new Dictionary<string, string>()]).Instances);

        Assert.Equal(("8080", "true", "0.25"), (merged.Values["PORT"], merged.Values["TLS"], merged.Values["RATIO"]));
    }

    internal static JobTemplate Template(params (string Column, string Json)[] columns)
    {
        string? Column(string name) => columns.Where(c => c.Column == name).Select(c => c.Json).SingleOrDefault();
        return new JobTemplate
        {
            JobTemplateId = 1, PatternName = "http-to-gcs", Source = "http", Destination = "gcs", SchJobTemplateId = Seed.ExampleTemplateId,
            SourceRuntimeParameters = Column("source_runtime_parameters"),
            DestinationRuntimeParameters = Column("destination_runtime_parameters"),
            SourceConnectionInfo = Column("source_connection_info"),
            DestinationConnectionInfo = Column("destination_connection_info"),
        };
    }
}
