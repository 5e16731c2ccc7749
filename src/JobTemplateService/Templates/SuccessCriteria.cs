using System.Globalization;
using System.Text.Json.Serialization;

namespace JobTemplateService.Templates;

/// <summary>
/// A template's data-aware success criteria: an instance the platform reports successful (or, if
/// streaming, stopped cleanly) still fails when its record counts break one. A count the platform
/// did not report counts as 0. The error ratio is errors ÷ input; with no input it is 0 without
/// errors and 1 with some.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SuccessCriteria(long? MinInputRecords, long? MinOutputRecords, long? MaxErrorRecords, double? MaxErrorRatio)
{
    internal const string MinInput = "min-input-records";
    internal const string MinOutput = "min-output-records";
    internal const string MaxErrors = "max-error-records";
    internal const string MaxRatio = "max-error-ratio";

    internal static readonly IReadOnlyList<string> Names = [MinInput, MinOutput, MaxErrors, MaxRatio];

    [JsonIgnore]
    public bool IsEmpty => MinInputRecords is null && MinOutputRecords is null && MaxErrorRecords is null && MaxErrorRatio is null;

    /// <summary>Each criterion the counts break, with a message naming it and the numbers: "output 0 &lt; min-output-records 1".</summary>
    internal IReadOnlyList<CriterionBreach> Check(long? input, long? output, long? errors)
    {
        var (i, o, e) = (input ?? 0, output ?? 0, errors ?? 0);
        var breaches = new List<CriterionBreach>();
        if (i < MinInputRecords) breaches.Add(new(MinInput, $"input {i} < {MinInput} {MinInputRecords}"));
        if (o < MinOutputRecords) breaches.Add(new(MinOutput, $"output {o} < {MinOutput} {MinOutputRecords}"));
        if (e > MaxErrorRecords) breaches.Add(new(MaxErrors, $"errors {e} > {MaxErrors} {MaxErrorRecords}"));
        var ratio = i > 0 ? (double)e / i : e > 0 ? 1 : 0;
        if (ratio > MaxErrorRatio)
            breaches.Add(new(MaxRatio, $"error ratio {Number(ratio)} ({e} errors ÷ {i} input) > {MaxRatio} {Number(MaxErrorRatio.Value)}"));
        return breaches;
    }

    /// <summary>Problems with the values, keyed by criterion name (for a template being saved or loaded).</summary>
    internal Dictionary<string, string> Problems()
    {
        var problems = new Dictionary<string, string>();
        foreach (var (name, value) in new[] { (MinInput, MinInputRecords), (MinOutput, MinOutputRecords), (MaxErrors, MaxErrorRecords) })
        {
            if (value < 0) problems[name] = $"'{name}' is a whole number of records, 0 or more.";
        }
        if (MaxErrorRatio is { } r && !(r >= 0 && r <= 1)) problems[MaxRatio] = $"'{MaxRatio}' is a ratio of errors to input, from 0 to 1.";
        return problems;
    }

    private static string Number(double value) => Math.Round(value, 4).ToString(CultureInfo.InvariantCulture);
}

internal sealed record CriterionBreach(string Criterion, string Message);
