using Microsoft.Playwright;

namespace JobTemplateService.ConsoleTests;

/// <summary>What a person does in the console, step by step.</summary>
public static class ConsoleSession
{
    /// <summary>
    /// How long a page change may take on a busy machine. Pages are awaited by polling their URL and
    /// content, never as navigation events: a redirect that lands before such a wait is armed leaves
    /// it waiting for good.
    /// </summary>
    public static readonly PageAssertionsToHaveURLOptions Navigation = new() { Timeout = 60_000 };

    public static async Task SignInAsync(IPage page, string url, string key)
    {
        await page.GotoAsync(url + "/ui");
        await page.GetByLabel("API key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        try
        {
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync(new() { Timeout = 60_000 });
            await Assertions.Expect(page).ToHaveURLAsync(url + "/ui", Navigation);
        }
        catch (PlaywrightException)
        {
            var shown = await page.Locator("body").InnerTextAsync();
            Assert.Fail($"Signing in did not reach {url}/ui; the page is {page.Url}: {shown[..Math.Min(shown.Length, 500)]}");
        }
    }

    /// <summary>Waits until the run page (refreshing itself) shows the run in one of these states.</summary>
    public static async Task WaitForRunStateAsync(IPage page, params string[] states)
    {
        var current = "";
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(3)) // a busy machine runs jobs slowly; the wait ends as soon as the state shows
        {
            await page.ReloadAsync();
            current = await page.Locator("#run-state").InnerTextAsync();
            if (Array.IndexOf(states, current) >= 0) return;
            await Task.Delay(500);
        }
        Assert.Fail($"The run never reached {string.Join(" or ", states)}; it is {current}.");
    }
}
