using System.Text;

namespace JobTemplateService.WebConsole;

/// <summary>Pasted CSV (RFC 4180: a header row of parameter names, quotes for commas and quotes): one instance per row.</summary>
public static class CsvRows
{
    public static (List<Dictionary<string, string>> Rows, string? Problem) Parse(string text)
    {
        var records = Records(text.Replace("\r\n", "\n").Trim('\n')).Where(r => r.Count > 1 || r[0].Length > 0).ToList();
        if (records.Count < 2) return ([], "Paste a header row of parameter names and at least one row of values.");
        var header = records[0].Select(h => h.Trim()).ToList();
        if (header.Any(h => h.Length == 0) || header.Distinct(StringComparer.Ordinal).Count() != header.Count)
            return ([], "The header row must name each column once.");
        var rows = new List<Dictionary<string, string>>();
        for (var i = 1; i < records.Count; i++)
        {
            if (records[i].Count != header.Count)
                return ([], $"Row {i + 1} has {records[i].Count} values; the header names {header.Count}.");
            rows.Add(header.Zip(records[i]).Where(p => p.Second.Length > 0).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal));
        }
        return (rows, null);
    }

    private static IEnumerable<List<string>> Records(string text)
    {
        var record = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { record.Add(field.ToString()); field.Clear(); }
            else if (c == '\n') { record.Add(field.ToString()); field.Clear(); yield return record; record = []; }
            else field.Append(c);
        }
        record.Add(field.ToString());
        yield return record;
    }
}
