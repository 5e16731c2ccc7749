using System.Text.Json;
using JobTemplateService.Runs;
using JobTemplateService.Security;
using JobTemplateService.Templates;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace JobTemplateService.WebConsole.Pages;

/// <summary>
/// /ui/templates/{pattern}/launch: a form generated from the template's parameter contract, one row
/// per instance. Plan and Launch send it through the API's own parser, planner and launcher, so the
/// server's validation decides, and its errors are shown next to the fields they name.
/// </summary>
public sealed class LaunchModel : ConsolePage
{
    public LibraryEntry Entry { get; private set; } = null!;

    public IReadOnlyList<FormField> Fields { get; private set; } = [];

    public bool HasContract { get; private set; }

    /// <summary>A key without the launch scope may fill the form and plan, as the API lets it plan.</summary>
    public bool MayLaunch { get; private set; }

    public LaunchForm Form { get; private set; } = new();

    public string Csv { get; private set; } = "";

    internal PlannedLaunch? Plan { get; private set; }

    public async Task<IActionResult> OnGetAsync(string pattern, [FromQuery(Name = "from")] Guid? from, CancellationToken ct)
    {
        if (!await LoadAsync(pattern, ct)) return NotFound();
        IEnumerable<IReadOnlyDictionary<string, string>>? prefill = null;
        if (from is { } runId && await Service<RunRepository>().GetAsync(runId, ct) is { } run && RunVisibility.CanSee(User, run.RequestedBy))
            prefill = (await Service<RunRelauncher>().DynamicSetsAsync(run, run.Instances, ct)).Select(s => (IReadOnlyDictionary<string, string>)s.Values);
        Form = LaunchForm.Initial(Fields, KeyName, prefill);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string pattern, [FromForm(Name = "action")] string? action, CancellationToken ct)
    {
        if (!await LoadAsync(pattern, ct)) return NotFound();
        Form = LaunchForm.FromPost(Request.Form, Fields);
        Csv = Request.Form["csv"].ToString();
        switch (action ?? "")
        {
            case "add":
                Form.AddRow(Fields);
                break;
            case var remove when remove.StartsWith("remove:", StringComparison.Ordinal) && Form.Rows.Count > 1:
                Form.Rows.RemoveAll(r => r.Id.ToString() == remove["remove:".Length..]);
                break;
            case "csv":
                ReplaceRowsFromCsv();
                break;
            case "plan":
                if (Parse() is { } planned) await PlanAsync(planned, ct);
                break;
            case "launch":
                if (!await MayAsync(Scopes.Launch)) return Forbid();
                if (Parse() is { } request && await LaunchAsync(request, ct) is { } runId) return GoTo($"/ui/runs/{runId}");
                break;
        }
        return IsFragmentRequest ? Partial("_LaunchForm", this) : Page();
    }

    private async Task<bool> LoadAsync(string pattern, CancellationToken ct)
    {
        var library = Service<LibraryQuery>();
        if (await library.FindAsync(User, pattern, ct) is not { } template) return false;
        Entry = await library.EntryAsync(User, template, ct);
        HasContract = template.ParametersSchema is not null;
        MayLaunch = await MayAsync(Scopes.Launch);
        Fields = ContractOf(template) is { } contract ? FormField.FromContract(contract) : FormField.FromRequired(template.RequiredParameters);
        return true;
    }

    /// <summary>The template's parameter contract (JSON Schema), when it has one.</summary>
    internal static JsonElement? ContractOf(JobTemplate template) =>
        template.ParametersSchema is { } schema ? JsonSerializer.Deserialize<JsonElement>(schema) : null;

    private LaunchRequest? Parse()
    {
        using var body = JsonDocument.Parse(Form.ToJson(Entry.SourceType, Entry.TargetType, Fields));
        var errors = new Dictionary<string, string[]>();
        var request = LaunchRequestParser.Parse(body.RootElement, Service<IOptions<ServiceOptions>>().Value.MaxInstancesPerLaunch, errors);
        Form.AddErrors(errors, Fields);
        return request;
    }

    private async Task PlanAsync(LaunchRequest request, CancellationToken ct)
    {
        Plan = await Service<LaunchPlanner>().PlanAsync(request, CallerContext.For(HttpContext, Form.IdempotencyKey), ct);
        foreach (var refusal in Plan.Refusals)
        {
            if (refusal is LaunchRefusal.InvalidParameters invalid) Form.AddErrors(invalid.Errors.AsReadOnly(), Fields);
            else Form.AddErrors(new Dictionary<string, string[]> { [""] = [LaunchProblems.For(refusal).ProblemDetails.Detail ?? ""] }, Fields);
        }
    }

    private async Task<Guid?> LaunchAsync(LaunchRequest request, CancellationToken ct)
    {
        var caller = CallerContext.For(HttpContext, Form.IdempotencyKey);
        var result = await Service<RunLauncher>().LaunchAsync(request, caller, ct);
        // A second click while the first is still launching: wait for the first one's answer.
        for (var wait = 0; wait < 20 && result is LaunchResult.Failed { Refusal: LaunchRefusal.InFlight }; wait++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
            result = await Service<RunLauncher>().LaunchAsync(request, caller, ct);
        }
        var (runId, problem) = ConsoleResults.Of(result);
        if (runId is not null) return runId;
        var errors = ConsoleResults.Errors(problem);
        Form.AddErrors(errors.Count > 0 ? errors : new Dictionary<string, string[]> { [""] = [problem?.Detail ?? problem?.Title ?? "The launch was refused."] }, Fields);
        return null;
    }

    private void ReplaceRowsFromCsv()
    {
        var (rows, problem) = CsvRows.Parse(Csv);
        if (problem is not null)
        {
            Form.Errors["f-csv"] = [problem];
            return;
        }
        Form.Rows.Clear();
        foreach (var row in rows) Form.AddRow(Fields, row);
        Csv = "";
    }

    private IActionResult GoTo(string url)
    {
        if (!IsFragmentRequest) return Redirect(url);
        Response.Headers["HX-Redirect"] = url;
        return new OkResult();
    }
}
