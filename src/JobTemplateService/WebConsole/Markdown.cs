using System.Collections.Concurrent;
using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using Microsoft.AspNetCore.Html;

namespace JobTemplateService.WebConsole;

/// <summary>
/// Template descriptions are Markdown written by template owners: rendered with Markdig, raw HTML
/// shown as text (DisableHtml), and links kept only when they go to http, https, mailto or this site.
/// A description's HTML is kept once rendered: the library shows hundreds on every view.
/// </summary>
internal static class Markdown
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().DisableHtml().UseAutoLinks().UsePipeTables().Build();
    private static readonly ConcurrentDictionary<string, HtmlString> Rendered = new(StringComparer.Ordinal);

    public static IHtmlContent Render(string? markdown)
    {
        if (string.IsNullOrWhiteSpace(markdown)) return HtmlString.Empty;
        if (Rendered.TryGetValue(markdown, out var html)) return html;
        if (Rendered.Count >= 10_000) Rendered.Clear();
        return Rendered[markdown] = RenderNow(markdown);
    }

    private static HtmlString RenderNow(string markdown)
    {
        var document = Markdig.Markdown.Parse(markdown, Pipeline);
        foreach (var link in document.Descendants<LinkInline>())
        {
            if (!IsSafe(link.Url)) link.Url = "#";
            if (link.IsImage) link.IsImage = false; // no outside images: the console works offline and loads nothing it does not serve
        }
        foreach (var link in document.Descendants<AutolinkInline>())
        {
            if (!IsSafe(link.Url)) link.Url = "#";
        }
        return new HtmlString(document.ToHtml(Pipeline));
    }

    private static bool IsSafe(string? url)
    {
        if (string.IsNullOrEmpty(url)) return true;
        if (url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal)) return true;
        return Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "mailto";
    }
}
