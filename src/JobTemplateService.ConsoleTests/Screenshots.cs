using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace JobTemplateService.ConsoleTests;

/// <summary>
/// Screenshots of the library, the launch form, a run and a live log. They are written beside the
/// test binaries; with JTS_SCREENSHOTS=1 (`JTS_SCREENSHOTS=1 ./scripts/test.sh --filter Screenshots`)
/// into docs/console/, where the README shows them.
/// </summary>
public sealed class Screenshots(ConsoleService service, Browser browser) : IClassFixture<ConsoleService>, IClassFixture<Browser>
{
    [Fact]
    public async Task ScreenshotsOfTheLibraryTheFormARunAndALiveLog()
    {
        var folder = Environment.GetEnvironmentVariable("JTS_SCREENSHOTS") == "1"
            ? Path.Combine(ConsoleService.Root, "docs", "console") : Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        var key = await service.CreateKeyAsync("screenshots", "launch", "read");
        using var api = new HttpClient { BaseAddress = new Uri(service.Url) };
        api.DefaultRequestHeaders.Authorization = new("Bearer", key);
        string? runId = null;
        foreach (var (userRunId, cities) in new[] { ("weekly-1", new[] { "London:", "Phoenix:25", "Tokyo:15" }), ("weekly-2", ["Paris:", "Sydney:20"]) })
        {
            var launched = await api.PostAsJsonAsync("/v1/runs", new Dictionary<string, object>
            {
                ["user-id"] = "analyst@example.com", ["user-run-id"] = userRunId, ["source-type"] = "csv", ["target-type"] = "csv",
                ["runtime-parameters"] = cities.Select(Parameters).ToArray(),
            });
            runId ??= (await launched.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("run-id").GetString();
        }
        var page = await browser.NewPageAsync(1200, 900);
        await ConsoleSession.SignInAsync(page, service.Url, key);
        await page.GotoAsync($"{service.Url}/ui/runs/{runId}");
        await ConsoleSession.WaitForRunStateAsync(page, "SUCCEEDED");

        await Shoot(page, $"{service.Url}/ui", Path.Combine(folder, "library.png"));
        await page.GotoAsync($"{service.Url}/ui/templates/demo-csv-filter/launch");
        await page.Locator("#f-0-CITY").SelectOptionAsync("London");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add an instance" }).ClickAsync();
        await page.Locator("#f-1-CITY").SelectOptionAsync("Phoenix");
        await page.Locator("#f-1-MIN_TEMPERATURE_C").FillAsync("30");
        await page.GetByRole(AriaRole.Button, new() { Name = "Plan" }).ClickAsync();
        await Expect(page.Locator("#plan")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, "launch-form.png"), FullPage = true });
        await Shoot(page, $"{service.Url}/ui/runs/{runId}", Path.Combine(folder, "run.png"));
        await page.GotoAsync($"{service.Url}/ui/runs/{runId}/instances/0/log");
        await Expect(page.Locator("#log-status")).ToHaveAttributeAsync("data-state", "SUCCEEDED");
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, "live-log.png") });

        foreach (var name in new[] { "library", "launch-form", "run", "live-log" })
            Assert.True(new FileInfo(Path.Combine(folder, name + ".png")).Length > 10_000, $"{name}.png is empty");
    }

    /// <summary>"Phoenix:25" is Phoenix at or above 25 °C; "London:" every London row.</summary>
    private static Dictionary<string, string> Parameters(string city)
    {
        var (name, minimum) = (city.Split(':')[0], city.Split(':')[1]);
        return minimum.Length == 0 ? new() { ["CITY"] = name } : new() { ["CITY"] = name, ["MIN_TEMPERATURE_C"] = minimum };
    }

    private static async Task Shoot(IPage page, string url, string path)
    {
        await page.GotoAsync(url);
        await page.ScreenshotAsync(new() { Path = path, FullPage = true });
    }
}
