using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChaosDriver;

/// <summary>The fake Control Hub's control API: switch faults, and read its own record of what it was asked.</summary>
internal sealed class FakeHub(ChaosSettings settings, HttpClient http)
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    public async Task SetFaultsAsync(object faults)
    {
        using var response = await http.PostAsJsonAsync($"{settings.FakeUrl}/_sim/faults", faults);
        response.EnsureSuccessStatusCode();
        Log.Info($"platform faults: {await response.Content.ReadAsStringAsync()}");
    }

    public async Task ClearFaultsAsync()
    {
        using var response = await http.DeleteAsync($"{settings.FakeUrl}/_sim/faults");
        response.EnsureSuccessStatusCode();
        Log.Info("platform faults cleared");
    }

    public async Task<JsonObject> StatsAsync() =>
        (await http.GetFromJsonAsync<JsonObject>($"{settings.FakeUrl}/_sim/stats"))!;

    public async Task<List<FakeCreate>> CreatesAsync() =>
        (await StatsAsync())["creates"]!.Deserialize<List<FakeCreate>>(Web)!;

    public async Task<List<FakeJobView>> JobsAsync() =>
        (await http.GetFromJsonAsync<List<FakeJobView>>($"{settings.FakeUrl}/_sim/jobs", Web))!;
}

internal sealed record FakeCreate(long Seq, DateTimeOffset At, string TemplateId, string[] Tags,
    List<Dictionary<string, string>> ParameterSets, string[] JobIds, string Outcome);

internal sealed record FakeJobView(string Id, string TemplateId, string Name, string[] Tags, Dictionary<string, string> Parameters,
    long CreateTime, long PlannedFinishTime, string Status, string Color, long FinishTime, bool Succeeded, long InputCount,
    long OutputCount, long ErrorCount, bool StopRequested, bool ForceStopped, bool Deleted);
