using System.Text.Json;
using System.Text.RegularExpressions;

namespace JobTemplateService.WebConsole;

/// <summary>
/// What the launch form holds: one row of values per instance, the run's ids, and the errors the
/// server reported, placed next to the field they name. The form is sent to the API's own parser,
/// planner and launcher as the JSON body a caller would send.
/// </summary>
public sealed partial class LaunchForm
{
    public List<FormRow> Rows { get; } = [];

    public string UserId { get; set; } = "";

    public string UserRunId { get; set; } = "";

    /// <summary>Generated per rendering of the form: a double click sends the same key and launches once.</summary>
    public string IdempotencyKey { get; set; } = "console-" + Guid.NewGuid().ToString("N");

    /// <summary>Errors by element id (f-{row}-{KEY}, f-user-id, …); those naming no field are under "".</summary>
    public Dictionary<string, List<string>> Errors { get; } = [];

    public static string FieldId(int row, string key) => $"f-{row}-{key}";

    public static LaunchForm Initial(IReadOnlyList<FormField> fields, string? keyName, IEnumerable<IReadOnlyDictionary<string, string>>? prefill)
    {
        var form = new LaunchForm { UserId = keyName ?? "console", UserRunId = $"console-{DateTime.UtcNow:yyyyMMdd-HHmmss}" };
        foreach (var values in prefill ?? [new Dictionary<string, string>()]) form.AddRow(fields, values);
        return form;
    }

    public void AddRow(IReadOnlyList<FormField> fields, IReadOnlyDictionary<string, string>? values = null)
    {
        var row = new FormRow(Rows.Count == 0 ? 0 : Rows.Max(r => r.Id) + 1);
        foreach (var field in fields) row.Values[field.Key] = values?.GetValueOrDefault(field.Key) ?? field.Default;
        row.Extra = string.Join('\n', (values ?? new Dictionary<string, string>()).Where(v => fields.All(f => f.Key != v.Key))
            .Select(v => $"{v.Key}={v.Value}"));
        Rows.Add(row);
    }

    public static LaunchForm FromPost(IFormCollection posted, IReadOnlyList<FormField> fields)
    {
        var form = new LaunchForm
        {
            UserId = posted["user-id"].ToString(), UserRunId = posted["user-run-id"].ToString(),
            IdempotencyKey = posted["idempotency-key"].FirstOrDefault() is { Length: > 0 } key ? key : "console-" + Guid.NewGuid().ToString("N"),
        };
        foreach (var id in posted["row"].Select(r => int.TryParse(r, out var i) ? i : -1).Where(i => i >= 0).Distinct())
        {
            var row = new FormRow(id) { Extra = posted[$"x[{id}]"].ToString() };
            foreach (var field in fields) row.Values[field.Key] = field.Normalize(posted[$"p[{id}].{field.Key}"].LastOrDefault());
            form.Rows.Add(row);
        }
        return form;
    }

    /// <summary>
    /// The launch body: runtime-parameters in row order. Empty inputs and inputs left at the contract's
    /// default are left out: the server fills in the default, and the plan shows it as the default's.
    /// </summary>
    public string ToJson(string sourceType, string targetType, IReadOnlyList<FormField> fields)
    {
        var defaults = fields.Where(f => f.Default is not null).ToDictionary(f => f.Key, f => f.Default, StringComparer.Ordinal);
        var sets = Rows.Select(row =>
        {
            var set = row.Values.Where(v => !string.IsNullOrEmpty(v.Value) && v.Value != defaults.GetValueOrDefault(v.Key))
                .ToDictionary(v => v.Key, v => v.Value!);
            foreach (var line in row.Extra.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var split = line.IndexOf('=');
                if (split > 0) set[line[..split].Trim()] = line[(split + 1)..];
            }
            return set;
        });
        return JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["user-id"] = UserId, ["user-run-id"] = UserRunId, ["source-type"] = sourceType, ["target-type"] = targetType,
            ["runtime-parameters"] = sets.ToList(),
        });
    }

    /// <summary>Places the API's errors (runtime-parameters[i].KEY, user-id, …) next to their fields.</summary>
    public void AddErrors(IReadOnlyDictionary<string, string[]> errors, IReadOnlyList<FormField> fields)
    {
        foreach (var (key, messages) in errors)
        {
            var match = ParameterPath().Match(key);
            var id = key is "user-id" or "user-run-id" ? "f-" + key
                : match.Success && int.Parse(match.Groups[1].Value) < Rows.Count
                    ? fields.Any(f => f.Key == match.Groups[2].Value) ? FieldId(Rows[int.Parse(match.Groups[1].Value)].Id, match.Groups[2].Value)
                    : $"f-{Rows[int.Parse(match.Groups[1].Value)].Id}-extra"
                : "";
            if (!Errors.TryGetValue(id, out var list)) Errors[id] = list = [];
            list.AddRange(messages.Select(m => id.EndsWith("-extra", StringComparison.Ordinal) || id == "" ? $"{key}: {m}" : m));
        }
    }

    public IReadOnlyList<string> ErrorsOf(string id) => Errors.GetValueOrDefault(id) ?? [];

    [GeneratedRegex(@"^runtime-parameters\[(\d+)\](?:\.(.+))?$")]
    private static partial Regex ParameterPath();
}

/// <summary>One instance's values, by parameter name; Extra holds KEY=value lines for templates without a contract.</summary>
public sealed class FormRow(int id)
{
    public int Id { get; } = id;

    public Dictionary<string, string?> Values { get; } = new(StringComparer.Ordinal);

    public string Extra { get; set; } = "";
}
