using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Html;

namespace JobTemplateService.WebConsole;

/// <summary>
/// Grouped bar charts drawn on the server as SVG: no script, nothing to download, colours from the
/// stylesheet (classes, never inline styles). Each chart carries a title and a description for
/// screen readers; the page shows the same numbers as a table beside it.
/// </summary>
internal static class SvgChart
{
    private const int Width = 720, Height = 220, Left = 56, Bottom = 36, Top = 10, Right = 10;

    public static IHtmlContent Bars(string id, string title, IReadOnlyList<ChartSeries> series, IReadOnlyList<ChartGroup> groups,
        Func<double, string> formatValue)
    {
        var max = groups.SelectMany(g => g.Values).Where(v => v is not null).Select(v => v!.Value).DefaultIfEmpty(0).Max();
        var scale = NiceMax(max);
        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        var groupWidth = groups.Count == 0 ? plotWidth : (double)plotWidth / groups.Count;
        var barWidth = Math.Max(1, groupWidth * 0.8 / Math.Max(1, series.Count));
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" id=\"{id}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" ")
            .Append(CultureInfo.InvariantCulture, $"aria-labelledby=\"{id}-title {id}-desc\"><title id=\"{id}-title\">{Encode(title)}</title>")
            .Append(CultureInfo.InvariantCulture, $"<desc id=\"{id}-desc\">{Encode(Describe(series, groups, formatValue))}</desc>");
        for (var tick = 0; tick <= 4; tick++)
        {
            var value = scale * tick / 4;
            var y = Top + plotHeight - plotHeight * tick / 4.0;
            svg.Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\" stroke-opacity=\"{(tick == 0 ? 1 : 0.25)}\"/>")
                .Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{Encode(formatValue(value))}</text>");
        }
        var labelEvery = Math.Max(1, (int)Math.Ceiling(groups.Count / 12.0));
        for (var g = 0; g < groups.Count; g++)
        {
            var x0 = Left + g * groupWidth + groupWidth * 0.1;
            for (var s = 0; s < series.Count; s++)
            {
                if (groups[g].Values[s] is not { } v) continue;
                var h = scale == 0 ? 0 : plotHeight * v / scale;
                svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"{series[s].CssClass}\" x=\"{x0 + s * barWidth:0.##}\" y=\"{Top + plotHeight - h:0.##}\" ")
                    .Append(CultureInfo.InvariantCulture, $"width=\"{Math.Max(0.5, barWidth - 1):0.##}\" height=\"{h:0.##}\"><title>{Encode($"{groups[g].Label}: {series[s].Name} {formatValue(v)}")}</title></rect>");
            }
            if (g % labelEvery == 0)
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + (g + 0.5) * groupWidth:0.#}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\">{Encode(groups[g].ShortLabel)}</text>");
        }
        svg.Append("</svg>");
        return new HtmlString(svg.ToString());
    }

    private static string Describe(IReadOnlyList<ChartSeries> series, IReadOnlyList<ChartGroup> groups, Func<double, string> formatValue)
    {
        if (groups.Count == 0) return "No data yet.";
        var text = new StringBuilder($"{groups.Count} groups of {string.Join(", ", series.Select(s => s.Name))}. ");
        foreach (var g in groups.TakeLast(20))
        {
            text.Append(g.Label).Append(": ").AppendJoin(", ", series.Select((s, i) => $"{s.Name} {(g.Values[i] is { } v ? formatValue(v) : "none")}")).Append(". ");
        }
        return text.ToString();
    }

    private static double NiceMax(double max)
    {
        if (max <= 0) return 1;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(max)));
        return new[] { 1, 2, 2.5, 5, 10 }.Select(f => f * magnitude).First(m => m >= max);
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}

/// <summary>One kind of bar: its name in the legend and its colour class in console.css.</summary>
public sealed record ChartSeries(string Name, string CssClass);

/// <summary>One group of bars (a run, an instance), a value per series (null: not reported).</summary>
public sealed record ChartGroup(string Label, string ShortLabel, IReadOnlyList<double?> Values);
