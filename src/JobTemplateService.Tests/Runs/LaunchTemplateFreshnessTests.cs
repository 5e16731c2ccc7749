using System.Net;
using System.Net.Http.Json;
using Npgsql;

namespace JobTemplateService.Tests;

/// <summary>
/// A replica keeps the templates it resolved, so a launch reads none. A template changed by any
/// means (plain SQL here, as an operator, `templates apply` or another replica would) is what the
/// very next launch on this replica uses, and a refusal is never given from a kept template.
/// </summary>
public sealed class LaunchTemplateFreshnessTests
{
    [Fact]
    public async Task AStaticParameterChangedInTheDatabaseIsWhatTheNextLaunchSends()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();

        var before = await LaunchAsync(app, "before");
        await app.Database.ExecuteAsync("""
            UPDATE streamsets.job_template SET source_runtime_parameters = '{"HTTP_MODE": "STREAMING", "HTTP_METHOD": "GET"}'
            """);
        var after = await LaunchAsync(app, "after");

        Assert.Equal("POLLING", app.ControlHub.Job(before.Instances[0].PlatformJobId!).Parameters["HTTP_MODE"]);
        Assert.Equal("STREAMING", app.ControlHub.Job(after.Instances[0].PlatformJobId!).Parameters["HTTP_MODE"]);
        Assert.Equal("STREAMING", after.Instances[0].Parameters["HTTP_MODE"]);
    }

    [Fact]
    public async Task ATemplateDisabledInTheDatabaseRefusesTheNextLaunchAndRecordsNothing()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();

        await LaunchAsync(app, "before");
        await app.Database.ExecuteAsync("UPDATE streamsets.job_template SET enabled = false");
        using var refused = await app.PostJsonAsync("/v1/runs", LaunchBodies.Body(userRunId: "after"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("template-disabled", await refused.Content.ReadAsStringAsync());
        Assert.Equal(1, app.ControlHub.CreateCalls);
        Assert.Equal(["before"], await app.Database.StringsAsync("SELECT user_run_id FROM streamsets.run"));
    }

    [Fact]
    public async Task ATemplateEnabledAgainInTheDatabaseLaunchesAtOnce()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        await app.Database.ExecuteAsync("UPDATE streamsets.job_template SET enabled = false");
        using var refused = await app.PostJsonAsync("/v1/runs", LaunchBodies.Body(userRunId: "while-disabled"));

        await app.Database.ExecuteAsync("UPDATE streamsets.job_template SET enabled = true");
        var launched = await LaunchAsync(app, "enabled-again");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Equal("RUNNING", launched.State);
    }

    [Fact]
    public async Task ARuleRemovedInTheDatabaseIsNoLongerLaunched()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();

        await LaunchAsync(app, "before");
        await app.Database.ExecuteAsync("DELETE FROM streamsets.ingestion_pattern_job_template_relationship");
        using var refused = await app.PostJsonAsync("/v1/runs", LaunchBodies.Body(userRunId: "after"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("no-template", await refused.Content.ReadAsStringAsync());
        Assert.Equal(1, app.ControlHub.CreateCalls);
    }

    [Fact]
    public async Task EveryChangeToTheTablesATemplateIsReadFromRaisesTheCatalogVersion()
    {
        await using var app = await TestApp.StartAsync();
        var versions = new List<long> { await VersionAsync(app) };

        await app.Database.ExampleTemplateAsync();
        versions.Add(await VersionAsync(app));
        await app.Database.ExecuteAsync("UPDATE streamsets.ingestion_pattern SET pattern_name = 'http-to-gcs-renamed'");
        versions.Add(await VersionAsync(app));
        await app.Database.ExecuteAsync("UPDATE streamsets.ingestion_pattern_job_template_relationship SET schedule = schedule");
        versions.Add(await VersionAsync(app));
        await app.Database.ExecuteAsync("UPDATE streamsets.job_template SET description = 'changed'");
        versions.Add(await VersionAsync(app));

        Assert.Equal(versions.Order(), versions);
        Assert.Equal(versions.Count, versions.Distinct().Count());
    }

    [Fact]
    public async Task ALimitedTemplateRemovedInTheDatabaseIsRefusedAsMissingNotAsAnError()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        await app.Database.ExecuteAsync("UPDATE streamsets.job_template SET max_concurrent_instances = 5");
        // Refused for its parameters, so no run refers to the template, which this replica now keeps.
        var overriding = LaunchBodies.City("London");
        overriding["HTTP_MODE"] = "STREAMING";
        using var invalid = await app.PostJsonAsync("/v1/runs", LaunchBodies.Body(userRunId: "kept", sets: [overriding]));

        await app.Database.ExecuteAsync("""
            DELETE FROM streamsets.ingestion_pattern_job_template_relationship;
            DELETE FROM streamsets.ingestion_pattern;
            DELETE FROM streamsets.job_template;
            """);
        using var removed = await app.PostJsonAsync("/v1/runs", LaunchBodies.Body(userRunId: "after"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, invalid.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, removed.StatusCode);
        Assert.Contains("no-template", await removed.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TwoTransactionsChangingTemplatesInDifferentOrdersQueueInsteadOfDeadlocking()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.TemplateAsync("a", "one", "template-a:org");
        await app.Database.TemplateAsync("b", "two", "template-b:org");
        var (first, second) = (await app.Database.ScalarAsync<int>("SELECT min(job_template_id) FROM streamsets.job_template"),
            await app.Database.ScalarAsync<int>("SELECT max(job_template_id) FROM streamsets.job_template"));
        await using var one = new NpgsqlConnection(app.Database.ConnectionString);
        await using var other = new NpgsqlConnection(app.Database.ConnectionString);
        await one.OpenAsync();
        await other.OpenAsync();

        await using var transaction = await one.BeginTransactionAsync();
        await Execute(one, $"UPDATE streamsets.job_template SET description = 'one' WHERE job_template_id = {first}");
        // Locks the second row unless it must first queue behind the first transaction.
        var waiting = Execute(other, $"UPDATE streamsets.job_template SET description = 'other' WHERE job_template_id = {second}");
        await Task.Delay(300);
        await Execute(one, $"UPDATE streamsets.job_template SET description = 'one' WHERE job_template_id = {second}");
        await transaction.CommitAsync();
        await waiting;

        Assert.Equal(["one", "other"], await app.Database.StringsAsync("SELECT description FROM streamsets.job_template ORDER BY job_template_id"));
    }

    [Fact]
    public async Task TheCatalogVersionNeverRepeatsEvenWhenItsRowIsRemoved()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        var before = await VersionAsync(app);

        await app.Database.ExecuteAsync("DELETE FROM streamsets.template_catalog");
        var launched = await LaunchAsync(app, "while-missing");
        await app.Database.ExecuteAsync("UPDATE streamsets.job_template SET enabled = false");
        using var refused = await app.PostJsonAsync("/v1/runs", LaunchBodies.Body(userRunId: "after"));

        Assert.True(await VersionAsync(app) > before);
        Assert.Equal("RUNNING", launched.State);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
    }

    [Fact]
    public async Task TemplatesThatKeepChangingWhileALaunchIsRecordedAnswer503AndLaunchNothing()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        // The catalog's version becomes a sequence: every read of it sees a change since the last.
        await app.Database.ExecuteAsync("""
            ALTER TABLE streamsets.template_catalog RENAME TO template_catalog_kept;
            CREATE SEQUENCE streamsets.template_catalog_churn;
            CREATE VIEW streamsets.template_catalog AS SELECT 1 AS id, nextval('streamsets.template_catalog_churn') AS version;
            """);

        using var refused = await app.PostJsonAsync("/v1/runs", LaunchBodies.Body(userRunId: "churning"));
        var problem = await refused.ReadProblemAsync(HttpStatusCode.ServiceUnavailable, "/problems/templates-changing");
        var reads = await app.Database.ScalarAsync<long>("SELECT last_value FROM streamsets.template_catalog_churn");
        await app.Database.ExecuteAsync("""
            DROP VIEW streamsets.template_catalog;
            ALTER TABLE streamsets.template_catalog_kept RENAME TO template_catalog;
            """);
        var retried = await LaunchAsync(app, "churning");

        Assert.Contains("nothing was launched", problem.GetProperty("detail").GetString());
        Assert.Equal("1", refused.Headers.RetryAfter?.ToString());
        Assert.True(reads > 20, $"the catalog was read {reads} times");
        Assert.Equal("RUNNING", retried.State);
        Assert.Equal(1, app.ControlHub.CreateCalls);
        Assert.Equal(1, await app.Database.ScalarAsync<long>("SELECT count(*) FROM streamsets.launch_request"));
    }

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<RunResource> LaunchAsync(TestApp app, string userRunId)
    {
        using var response = await app.PostJsonAsync("/v1/runs", LaunchBodies.Body(userRunId: userRunId));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<RunResource>(Json.Options))!;
    }

    private static Task<long> VersionAsync(TestApp app) =>
        app.Database.ScalarAsync<long>("SELECT version FROM streamsets.template_catalog");
}
