namespace JobTemplateService.Tests;

/// <summary>The metrics line process-based jobs print: what counts as one, and why a malformed one is refused.</summary>
public sealed class MetricsLineTests
{
    [Theory]
    [InlineData("JTS_METRICS input=1200 output=1187 errors=13", 1200, 1187, 13)]
    [InlineData("  JTS_METRICS errors=2 input=5", 5, 0, 2)]
    [InlineData("JTS_METRICS output=7 rate=3.5/s", 0, 7, 0)]
    [InlineData("JTS_METRICS\tinput=0", 0, 0, 0)]
    public void AWellFormedLineGivesItsCountsMissingOnesBeingZero(string line, long input, long output, long errors)
    {
        Assert.True(MetricsLine.IsMetricsLine(line));
        Assert.Equal((input, output, errors), MetricsLine.Parse(line, out var problem));
        Assert.Null(problem);
    }

    [Theory]
    [InlineData("JTS_METRICS", "no counts")]
    [InlineData("JTS_METRICS input=abc", "'input=abc'")]
    [InlineData("JTS_METRICS input=-1", "'input=-1'")]
    [InlineData("JTS_METRICS input=1.5", "'input=1.5'")]
    [InlineData("JTS_METRICS input=99999999999999999999", "whole number")]
    [InlineData("JTS_METRICS input=1 input=2", "twice")]
    [InlineData("JTS_METRICS lots of records", "not name=value")]
    [InlineData("JTS_METRICS rate=3", "none of input")]
    public void AMalformedLineIsRefusedSayingWhy(string line, string why)
    {
        Assert.True(MetricsLine.IsMetricsLine(line));
        Assert.Null(MetricsLine.Parse(line, out var problem));
        Assert.Contains(why, problem);
    }

    [Fact]
    public void OnlyLinesStartingWithTheWordAreMetricsLinesAndTheLastWellFormedOneIsFinal()
    {
        Assert.False(MetricsLine.IsMetricsLine("JTS_METRICS_EXTRA input=1"));
        Assert.False(MetricsLine.IsMetricsLine("echo JTS_METRICS input=1"));
        Assert.Equal((4L, 3L, 1L), MetricsLine.Last("JTS_METRICS input=1\nJTS_METRICS input=4 output=3 errors=1\nJTS_METRICS input=x\ndone"));
        Assert.Null(MetricsLine.Last("no metrics here"));
    }
}
