using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace JobTemplateService.ConsoleTests;

/// <summary>Who gets in, relaunching what failed, and the console at a phone's width.</summary>
public sealed class ConsoleAccessTests(ConsoleService service, Browser browser) : IClassFixture<ConsoleService>, IClassFixture<Browser>
{
    [Fact]
    public async Task WithoutASessionTheConsoleAsksForAKeyAndRefusesAWrongOne()
    {
        var page = await browser.NewPageAsync();

        var response = await page.GotoAsync(service.Url + "/ui/runs");

        Assert.EndsWith("/ui/sign-in?return=%2Fui%2Fruns", page.Url);
        Assert.Contains("script-src 'self'", (await response!.AllHeadersAsync())["content-security-policy"]);
        await page.GetByLabel("API key").FillAsync("jts_0000000000_not-a-key");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.Locator("#api-key-error")).ToContainTextAsync("not valid");
        await Expect(page.GetByLabel("API key")).ToHaveAttributeAsync("aria-invalid", "true");
    }

    [Fact]
    public async Task SigningOutEndsTheSessionOnTheServer()
    {
        var page = await browser.NewPageAsync();
        await ConsoleSession.SignInAsync(page, service.Url, await service.CreateKeyAsync("signout", "read"));
        var cookie = (await page.Context.CookiesAsync()).Single(c => c.Name == "jts_console");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("/ui/sign-in"), ConsoleSession.Navigation);
        var replay = await browser.NewPageAsync();
        await replay.Context.AddCookiesAsync([new Cookie { Name = "jts_console", Value = cookie.Value, Url = service.Url + "/ui" }]);
        await replay.GotoAsync(service.Url + "/ui");
        Assert.Contains("/ui/sign-in", replay.Url);
    }

    [Fact]
    public async Task ASignedInPersonIsNotThrottledAsUnauthenticatedTraffic()
    {
        var page = await browser.NewPageAsync();
        await ConsoleSession.SignInAsync(page, service.Url, await service.CreateKeyAsync("busy", "read"));

        // More than the limiter's unauthenticated burst (20) and rate (10 a second) allow one address without a key.
        var statuses = new List<int>();
        for (var i = 0; i < 60; i++) statuses.Add((await page.APIRequest.GetAsync(service.Url + "/ui/runs")).Status);

        Assert.All(statuses, status => Assert.Equal(200, status));
    }

    [Fact]
    public async Task RelaunchFailedStartsANewRunOfOnlyTheFailedInstance()
    {
        var key = await service.CreateKeyAsync("relaunch", "launch", "read");
        using var api = new HttpClient { BaseAddress = new Uri(service.Url) };
        api.DefaultRequestHeaders.Authorization = new("Bearer", key);
        var launched = await api.PostAsJsonAsync("/v1/runs", new Dictionary<string, object>
        {
            ["user-id"] = "console-test", ["user-run-id"] = "relaunch-1", ["source-type"] = "csv", ["target-type"] = "csv-any-city",
            ["runtime-parameters"] = new[] { new Dictionary<string, string> { ["CITY"] = "London" }, new Dictionary<string, string> { ["CITY"] = "Atlantis" } },
        });
        var runId = (await launched.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("run-id").GetString();
        var page = await browser.NewPageAsync();
        await ConsoleSession.SignInAsync(page, service.Url, key);
        await page.GotoAsync($"{service.Url}/ui/runs/{runId}");
        await ConsoleSession.WaitForRunStateAsync(page, "FAILED");

        await page.GetByRole(AriaRole.Button, new() { Name = "Relaunch failed" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex($"/ui/runs/(?!{runId})[0-9a-f-]{{36}}$"), ConsoleSession.Navigation);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = runId })).ToBeVisibleAsync();
        Assert.Equal(1, await page.Locator("[data-instance]").CountAsync());
        await Expect(page.Locator("[data-instance='0'] .params")).ToContainTextAsync("CITY = Atlantis");
    }

    [Fact]
    public async Task AKeyLimitedToOtherTemplatesDoesNotSeeTheDemo()
    {
        var page = await browser.NewPageAsync();
        await ConsoleSession.SignInAsync(page, service.Url, await service.CreateKeyAsync("limited", ["launch", "read"], ["slow-*"]));

        await Expect(page.Locator("[data-template='slow-job']")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-template='demo-csv-filter']")).ToHaveCountAsync(0);
        await Expect(page.Locator("#library")).ToContainTextAsync("1 template(s)");
        await page.GetByLabel("Search templates").FillAsync("weather");
        await Expect(page.Locator("#library")).ToContainTextAsync("0 template(s)");
        var launch = await page.GotoAsync(service.Url + "/ui/templates/demo-csv-filter/launch");
        Assert.Equal(404, launch!.Status);
        var charts = await page.GotoAsync(service.Url + "/ui/templates/demo-csv-filter");
        Assert.Equal(404, charts!.Status);
    }

    [Fact]
    public async Task TheLibraryAndARunFitAPhoneScreen()
    {
        var page = await browser.NewPageAsync(375, 812);
        await ConsoleSession.SignInAsync(page, service.Url, await service.CreateKeyAsync("phone", "read"));

        foreach (var path in new[] { "/ui", "/ui/runs", "/ui/templates/demo-csv-filter/launch" })
        {
            await page.GotoAsync(service.Url + path);
            Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= 375"), $"{path} scrolls sideways at 375 px");
        }
        // The last page is the launch form; this key may read and plan but not launch.
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Launch", Exact = true })).ToBeDisabledAsync();
        await Expect(page.Locator("#launch-scope")).ToContainTextAsync("lacks the launch scope");
    }
}
