using System.Globalization;
using System.Text;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Display;

namespace JobTemplateService.Hosting;

/// <summary>
/// Text logs, one line per event: control characters (line breaks, ESC, NEL, U+2028/9) in any
/// rendered value, which may come from a caller (a path, a user-id), are written escaped, so
/// nobody can forge a log line or repaint a terminal. An exception follows on lines that start
/// with spaces, which no event line does.
/// </summary>
internal sealed class EscapingTextFormatter(string template) : ITextFormatter
{
    private readonly MessageTemplateTextFormatter line = new(template, CultureInfo.InvariantCulture);

    public void Format(LogEvent logEvent, TextWriter output)
    {
        using var rendered = new StringWriter(CultureInfo.InvariantCulture);
        line.Format(logEvent, rendered);
        output.Write(Escape(rendered.ToString()));
        output.Write('\n');
        if (logEvent.Exception is null) return;
        foreach (var text in logEvent.Exception.ToString().Split('\n'))
        {
            output.Write("    ");
            output.Write(Escape(text.TrimEnd('\r')));
            output.Write('\n');
        }
    }

    private static string Escape(string text)
    {
        if (!text.Any(NeedsEscape)) return text;
        var escaped = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            escaped.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when NeedsEscape(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }
        return escaped.ToString();
    }

    private static bool NeedsEscape(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';
}
