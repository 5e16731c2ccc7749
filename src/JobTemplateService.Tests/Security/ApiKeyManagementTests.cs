using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace JobTemplateService.Tests;

/// <summary>Creating, listing and revoking API keys (CLI verbs and admin API); a key is shown once and stored only as a hash.</summary>
public sealed class ApiKeyManagementTests
{
    [Fact]
    public async Task OnlyAHashOfARandomKeyOfAtLeast128BitsIsStored()
    {
        await using var app = await TestApp.StartAsync(ApiKeyRequests.ApiKeys);

        var keys = new List<string>();
        for (var i = 0; i < 5; i++) keys.Add(await app.CreateKeyAsync($"key-{i}", "read"));

        var rows = (await app.Database.DumpAsync())["api_key"];
        Assert.Equal(5, rows.Count);
        Assert.Equal(5, keys.Distinct().Count());
        Assert.All(keys, key =>
        {
            Assert.Matches("^jts_[0-9a-f]{10}_[A-Za-z0-9_-]+$", key);
            var secret = key.Split('_', 3)[2];
            Assert.True(secret.Length * 6 >= 128, $"the secret part '{secret}' carries fewer than 128 bits");
            Assert.All(rows, row => Assert.DoesNotContain(secret, row));
        });
        var hashes = await app.Database.StringsAsync("SELECT encode(key_hash, 'hex') FROM streamsets.api_key ORDER BY name");
        Assert.Equal(keys.Select(k => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(k)))), hashes);
    }

    [Fact]
    public async Task CliCreatePrintsTheKeyOnceListNeverPrintsItAndRevokeStopsIt()
    {
        await using var app = await TestApp.StartAsync(ApiKeyRequests.ApiKeys);
        var keys = app.Service<ApiKeyRepository>();
        using var created = new StringWriter();
        using var listed = new StringWriter();
        using var revoked = new StringWriter();

        var createExit = await ApiKeyCommands.RunAsync(keys, ["keys", "create", "ci", "--scopes", "launch,read"], created, CancellationToken.None);
        var key = created.ToString().Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("jts_"));
        using var withKey = await app.SendAsync(HttpMethod.Get, "/v1/runs", key);
        var listExit = await ApiKeyCommands.RunAsync(keys, ["keys", "list"], listed, CancellationToken.None);
        var revokeExit = await ApiKeyCommands.RunAsync(keys, ["keys", "revoke", "ci"], revoked, CancellationToken.None);
        using var afterRevoke = await app.SendAsync(HttpMethod.Get, "/v1/runs", key);

        Assert.Equal((0, 0, 0), (createExit, listExit, revokeExit));
        Assert.Single(created.ToString().Split('\n'), l => l.Contains(key));
        Assert.Equal(HttpStatusCode.OK, withKey.StatusCode);
        Assert.Contains("ci", listed.ToString());
        Assert.Contains("launch,read", listed.ToString());
        Assert.DoesNotContain(key.Split('_', 3)[2], listed.ToString());
        Assert.Equal(HttpStatusCode.Unauthorized, afterRevoke.StatusCode);
    }

    [Theory]
    [InlineData("keys", "create", "ci", "--scopes", "root")]
    [InlineData("keys", "create", "bad name!")]
    [InlineData("keys", "rotate", "ci")]
    public async Task CliRefusesBadArgumentsWithExitCode2AndStoresNothing(params string[] args)
    {
        await using var app = await TestApp.StartAsync(ApiKeyRequests.ApiKeys);
        using var output = new StringWriter();

        var exit = await ApiKeyCommands.RunAsync(app.Service<ApiKeyRepository>(), args, output, CancellationToken.None);

        Assert.Equal(2, exit);
        Assert.DoesNotContain("jts_", output.ToString());
        Assert.Equal(0L, await app.Database.ScalarAsync<long>("SELECT count(*) FROM streamsets.api_key"));
    }

    [Fact]
    public async Task BootstrapAdminKeyCreatesListsAndRevokesKeysOverHttp()
    {
        await using var app = await TestApp.StartAsync(ApiKeyRequests.ApiKeys);
        var request = new JsonObject { ["name"] = "airflow", ["scopes"] = new JsonArray("launch", "read") };

        using var create = await app.SendAsync(HttpMethod.Post, "/v1/admin/api-keys", ApiKeyRequests.BootstrapKey, request);
        var key = JsonDocument.Parse(await create.Content.ReadAsStringAsync()).RootElement.GetProperty("key").GetString()!;
        using var withKey = await app.SendAsync(HttpMethod.Get, "/v1/runs", key);
        using var duplicate = await app.SendAsync(HttpMethod.Post, "/v1/admin/api-keys", ApiKeyRequests.BootstrapKey, request);
        using var list = await app.SendAsync(HttpMethod.Get, "/v1/admin/api-keys", ApiKeyRequests.BootstrapKey);
        var listText = await list.Content.ReadAsStringAsync();
        using var delete = await app.SendAsync(HttpMethod.Delete, "/v1/admin/api-keys/airflow", ApiKeyRequests.BootstrapKey);
        using var afterDelete = await app.SendAsync(HttpMethod.Get, "/v1/runs", key);
        using var deleteAgain = await app.SendAsync(HttpMethod.Delete, "/v1/admin/api-keys/airflow", ApiKeyRequests.BootstrapKey);

        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        Assert.Equal("/v1/admin/api-keys/airflow", create.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, withKey.StatusCode);
        await duplicate.ReadProblemAsync(HttpStatusCode.Conflict, "/problems/api-key-exists");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        var listed = Assert.Single(JsonDocument.Parse(listText).RootElement.EnumerateArray().ToList());
        Assert.Equal(("airflow", false), (listed.GetProperty("name").GetString(), listed.TryGetProperty("key", out _)));
        Assert.DoesNotContain(key.Split('_', 3)[2], listText);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, afterDelete.StatusCode);
        await deleteAgain.ReadProblemAsync(HttpStatusCode.NotFound, "/problems/not-found");
    }

    [Fact]
    public async Task AdminCreateNamesEveryBadField()
    {
        await using var app = await TestApp.StartAsync(ApiKeyRequests.ApiKeys);
        var request = new JsonObject { ["name"] = "bad name!", ["scopes"] = new JsonArray("root") };

        using var response = await app.SendAsync(HttpMethod.Post, "/v1/admin/api-keys", ApiKeyRequests.BootstrapKey, request);

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest, "/problems/validation");
        Assert.Equal(["name", "scopes"], problem.ErrorKeys());
        Assert.Equal(0L, await app.Database.ScalarAsync<long>("SELECT count(*) FROM streamsets.api_key"));
    }
}
