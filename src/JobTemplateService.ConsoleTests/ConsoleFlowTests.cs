using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace JobTemplateService.ConsoleTests;

/// <summary>The console as a person uses it, in Chromium, against the running service and PostgreSQL.</summary>
public sealed class ConsoleFlowTests(ConsoleService service, Browser browser) : IClassFixture<ConsoleService>, IClassFixture<Browser>
{
    [Fact]
    public async Task APersonSignsInLaunchesTheDemoForTwoCitiesFollowsTheLogAndSeesMetricsAndTheChart()
    {
        var page = await browser.NewPageAsync();
        await ConsoleSession.SignInAsync(page, service.Url, await service.CreateKeyAsync("flow", "launch", "read"));

        await page.GetByLabel("Search templates").FillAsync("weather city");
        var card = page.Locator("section[aria-labelledby='group-tag-demo'] [data-template='demo-csv-filter']"); // under its first tag
        await card.WaitForAsync();
        await card.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^Launch") }).ClickAsync();
        await Expect(page.GetByLabel("City")).ToHaveJSPropertyAsync("tagName", "SELECT");
        await Expect(page.Locator("#f-0-MIN_TEMPERATURE_C")).ToHaveValueAsync("-50");
        await Expect(page.Locator("#f-0-MIN_TEMPERATURE_C-help")).ToContainTextAsync("at or above this temperature");
        await page.Locator("#f-0-CITY").SelectOptionAsync("London");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add an instance" }).ClickAsync();
        await page.Locator("#f-1-CITY").SelectOptionAsync("Phoenix");
        await page.Locator("#f-1-MIN_TEMPERATURE_C").FillAsync("30");
        await page.GetByRole(AriaRole.Button, new() { Name = "Plan" }).ClickAsync();
        var plan = page.Locator("#plan");
        await Expect(plan).ToContainTextAsync("would be accepted");
        await Expect(plan.Locator("[data-plan-instance='0']")).ToContainTextAsync("London");
        await Expect(plan.Locator("[data-plan-instance='0'] tr", new() { HasText = "MIN_TEMPERATURE_C" })).ToContainTextAsync("default");
        await Expect(plan.Locator("[data-plan-instance='1'] tr", new() { HasText = "MIN_TEMPERATURE_C" })).ToContainTextAsync("30");
        await Expect(plan).ToContainTextAsync("static:source_runtime_parameters");
        await page.GetByRole(AriaRole.Button, new() { Name = "Launch", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/ui/runs/[0-9a-f-]{36}$"), ConsoleSession.Navigation);
        var runUrl = page.Url;
        await page.GetByRole(AriaRole.Link, new() { Name = "Log of instance 0", Exact = false }).ClickAsync();

        await Expect(page.Locator("#log-status")).ToHaveAttributeAsync("data-state", "SUCCEEDED", new() { Timeout = 90_000 });
        await Expect(page.Locator("#log")).ToContainTextAsync("keeping city=London");
        await page.GotoAsync(runUrl);
        await ConsoleSession.WaitForRunStateAsync(page, "SUCCEEDED");
        await Expect(page.Locator("[data-instance='0'] [data-metrics]")).ToHaveTextAsync("1,208 in, 150 out, 8 errors");
        Assert.Equal(6, await page.Locator("#run-chart rect").CountAsync());
        Assert.Empty(browser.ConsoleErrors);
    }

    [Fact]
    public async Task TheServersValidationErrorIsShownNextToItsField()
    {
        var page = await browser.NewPageAsync();
        await ConsoleSession.SignInAsync(page, service.Url, await service.CreateKeyAsync("validation", "launch", "read"));

        await page.GotoAsync(service.Url + "/ui/templates/demo-csv-filter/launch");
        await page.GetByRole(AriaRole.Button, new() { Name = "Launch", Exact = true }).ClickAsync();

        var error = page.Locator("#f-0-CITY-error");
        await Expect(error).ToContainTextAsync("required");
        await Expect(page.Locator("#f-0-CITY")).ToHaveAttributeAsync("aria-invalid", "true");
        Assert.Contains("f-0-CITY-error", await page.Locator("#f-0-CITY").GetAttributeAsync("aria-describedby") ?? "");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("refused");
        await Expect(page.Locator("#f-0-MIN_TEMPERATURE_C-error")).ToHaveCountAsync(0);

        await page.Locator("#f-0-CITY").SelectOptionAsync("Cairo");
        await page.Locator("#f-0-MIN_TEMPERATURE_C").FillAsync("75");
        await page.GetByRole(AriaRole.Button, new() { Name = "Launch", Exact = true }).ClickAsync();

        await Expect(page.Locator("#f-0-MIN_TEMPERATURE_C-error")).ToContainTextAsync("60");
        await Expect(page.Locator("#f-0-CITY-error")).ToHaveCountAsync(0);
        await Expect(page.Locator("#f-0-CITY")).ToHaveValueAsync("Cairo");
    }

    [Fact]
    public async Task APersonCancelsALongJobAfterConfirming()
    {
        var page = await browser.NewPageAsync();
        await ConsoleSession.SignInAsync(page, service.Url, await service.CreateKeyAsync("cancel", "launch", "read"));
        await page.GotoAsync(service.Url + "/ui/templates/slow-job/launch");
        await page.GetByRole(AriaRole.Button, new() { Name = "Launch", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/ui/runs/[0-9a-f-]{36}$"), ConsoleSession.Navigation);

        await page.GetByText("Cancel run…").ClickAsync();
        var runPage = page.Url;
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, cancel the run" }).ClickAsync();

        // The cancel is posted, then the browser is sent back to the run page, so reloading it never cancels again.
        await Expect(page).ToHaveURLAsync(runPage + "?notice=cancel-requested", ConsoleSession.Navigation);
        await Expect(page.Locator("#run-message")).ToContainTextAsync("Cancel requested");
        // The notice is on the page the redirect opened, so its live region never announces it: focus moves to it instead.
        await Expect(page.Locator("#run-message .notice")).ToBeFocusedAsync();
        // Without a reload: the page's own poll brings the run's state to its heading and takes the Cancel away once it has ended.
        await Expect(page.Locator("#run-state")).ToHaveTextAsync("CANCELED", new() { Timeout = 180_000 }); // a busy machine stops jobs slowly
        await Expect(page.Locator("[data-instance='0'] [data-state]")).ToHaveTextAsync("CANCELED");
        await Expect(page.GetByText("Cancel run…")).ToHaveCountAsync(0);
        await Expect(page.Locator("#run-finished")).ToContainTextAsync("UTC");

        // A link cannot put words of its own on the page: only the console's fixed notices are shown.
        await page.GotoAsync(runPage + "?notice=" + Uri.EscapeDataString("Your key expired: sign in at evil.example"));
        await Expect(page.Locator("#run-state")).ToHaveTextAsync("CANCELED");
        await Expect(page.Locator("#run-message")).ToHaveTextAsync("");
    }
}
