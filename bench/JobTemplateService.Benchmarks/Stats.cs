using System.Globalization;

namespace JobTemplateService.Benchmarks;

/// <summary>Percentiles (nearest rank) of one measurement.</summary>
internal sealed record Percentiles(int Count, double P50, double P95, double P99, double Max)
{
    public static Percentiles Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return new Percentiles(0, double.NaN, double.NaN, double.NaN, double.NaN);
        return new Percentiles(sorted.Length, Rank(sorted, 0.50), Rank(sorted, 0.95), Rank(sorted, 0.99), sorted[^1]);
    }

    private static double Rank(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}

/// <summary>One figure over several repetitions: the median, and the smallest and largest value.</summary>
internal sealed record Spread(double Median, double Min, double Max)
{
    public static Spread Of(IEnumerable<double> values)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToArray();
        if (sorted.Length == 0) return new Spread(double.NaN, double.NaN, double.NaN);
        var middle = sorted.Length / 2;
        var median = sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        return new Spread(median, sorted[0], sorted[^1]);
    }

    public static Spread Of<T>(IEnumerable<T> items, Func<T, double> figure) => Of(items.Select(figure));

    /// <summary>"12.3 (11.9–13.0)"; just the median when there was one repetition.</summary>
    public string Format(string format = "0.0") =>
        double.IsNaN(Median) ? "–"
        : Min == Max ? Median.ToString(format, CultureInfo.InvariantCulture)
        : $"{Median.ToString(format, CultureInfo.InvariantCulture)} ({Min.ToString(format, CultureInfo.InvariantCulture)}–{Max.ToString(format, CultureInfo.InvariantCulture)})";
}
