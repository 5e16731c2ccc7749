using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace JobTemplateService.Tests;

/// <summary>
/// Every schema a database may have before its first versioned migration — the original Python
/// service's and each released sql/postgres-tables.sql — upgraded by the migrations.
/// </summary>
public sealed class ReleasedSchemaUpgradeTests
{
    [Theory]
    [MemberData(nameof(ReleasedSchemas.All), MemberType = typeof(ReleasedSchemas))]
    public async Task MigratingKeepsEveryRow(string schema)
    {
        await using var database = await ReleasedSchemas.CreateAsync(schema);
        await ReleasedSchemas.InsertRowsAsync(database, schema, "job-4:org");
        var before = await RowSnapshot.TakeAsync(database);

        await database.MigrateAsync();

        var after = await before.ReadAgainAsync(database, table => ReleasedSchemas.TableAfterMigration(schema, table));
        Assert.Equal(before.Rows, after);
        Assert.Contains(before.Rows.Values, rows => rows.Count > 0);
    }

    [Theory]
    [MemberData(nameof(ReleasedSchemas.All), MemberType = typeof(ReleasedSchemas))]
    public async Task MigratedSchemaIsTheSchemaOfAFreshDatabase(string schema)
    {
        await using var database = await ReleasedSchemas.CreateAsync(schema);
        await using var fresh = await TestDatabase.CreateEmptyAsync();

        await database.MigrateAsync();
        await fresh.MigrateAsync();

        Assert.Equal(await SchemaSnapshot.TakeAsync(fresh), await SchemaSnapshot.TakeAsync(database, ignoredTables: "job_instance_legacy"));
    }

    [Theory]
    [MemberData(nameof(ReleasedSchemas.Released), MemberType = typeof(ReleasedSchemas))]
    public async Task RunLeftRunningBeforeTheUpgradeIsMonitoredToItsMetricsRowAfterIt(string schema)
    {
        using var controlHub = new ControlHubSimulator();
        controlHub.CreateLate(new CreateCall(RunHelpers.TemplateId, new JsonObject
        {
            ["runtimeParametersList"] = new JsonArray(new JsonObject { ["CITY"] = "City 4" }),
        }));
        var job = Assert.Single(controlHub.Jobs);
        await using var database = await ReleasedSchemas.CreateAsync(schema);
        await ReleasedSchemas.InsertRowsAsync(database, schema, job.Id);

        // The service migrates at start-up (Database:MigrateOnStartup=true in the test settings).
        await using var service = ServiceReplica.Start(database, controlHub);
        var listed = await service.Client.GetFromJsonAsync<RunPage>("/v1/runs?limit=100", Json.Options);
        for (var pass = 0; pass < 10 && !RunStates.IsTerminal((await service.Client.GetRunAsync(ReleasedRows.Running)).State); pass++)
            await service.MonitorPassAsync();
        var run = await service.Client.GetRunAsync(ReleasedRows.Running);
        var metrics = await database.MetricsRowsAsync(ReleasedRows.Running);

        Assert.Equal(ReleasedRows.Runs.Order(), listed!.Runs.Select(r => r.RunId).Where(ReleasedRows.Runs.Contains).Order());
        Assert.Equal((RunStates.Succeeded, InstanceStates.Succeeded), (run.State, run.Instances[0].State));
        var row = Assert.Single(metrics);
        Assert.Equal((job.Id, true, 12_482L), (row.PlatformJobId, row.SuccessfulRun, row.InputRecordCount));
    }

    [Fact]
    public async Task ServiceStartsOnTheOriginalServicesDatabaseAndServesItsRows()
    {
        using var controlHub = new ControlHubSimulator();
        await using var database = await ReleasedSchemas.CreateAsync(ReleasedSchemas.Original);
        await ReleasedSchemas.InsertRowsAsync(database, ReleasedSchemas.Original, "");

        await using var service = ServiceReplica.Start(database, controlHub);
        var metrics = await service.Client.GetFromJsonAsync<MetricsPage>("/v1/metrics?user-run-id=run-123", Json.Options);
        using var resolve = await service.Client.GetAsync("/v1/templates/resolve?source-type=http&target-type=gcs");

        Assert.Equal(["job-london:org", "job-phoenix:org"], metrics!.Metrics.Select(m => m.PlatformJobId).Order());
        Assert.True(resolve.IsSuccessStatusCode, await resolve.Content.ReadAsStringAsync());
    }
}
