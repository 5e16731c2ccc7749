using System.Net;
using System.Text.Json.Nodes;

namespace JobTemplateService.Tests;

/// <summary>
/// Parameter names are identifiers on every platform (400), and on process-based platforms names
/// the job's runtime interprets are refused (422) unless the template allows that name.
/// </summary>
public sealed class ParameterNameTests
{
    [Theory]
    [InlineData("MY-PARAM")]
    [InlineData("1CITY")]
    [InlineData("A B")]
    [InlineData("BASH_FUNC_x%%")]
    [InlineData("CITY\u0000")]
    [InlineData("ÇITY")]
    public async Task NonIdentifierNameIsRefused400NamingTheKeyOnEveryPlatform(string name)
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        var set = LaunchBodies.City("London");
        set[name] = "x";

        using var response = await app.PostJsonAsync("/v1/runs", LaunchBodies.Body(sets: set));

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest, "/problems/validation");
        Assert.Equal([$"runtime-parameters[0].{name}"], problem.ErrorKeys());
        await app.AssertNothingLaunchedAsync();
    }

    [Fact]
    public async Task NameLongerThan128CharactersIsRefused400()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        var name = new string('N', 129);
        var set = LaunchBodies.City("London");
        set[name] = "x";

        using var response = await app.PostJsonAsync("/v1/runs", LaunchBodies.Body(sets: set));

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest, "/problems/validation");
        Assert.Equal([$"runtime-parameters[0].{name}"], problem.ErrorKeys());
    }

    [Theory]
    [InlineData("PATH")]
    [InlineData("HOME")]
    [InlineData("LD_PRELOAD")]
    [InlineData("BASH_ENV")]
    [InlineData("ENV")]
    [InlineData("PYTHONSTARTUP")]
    [InlineData("PERL5OPT")]
    [InlineData("NODE_OPTIONS")]
    [InlineData("JAVA_TOOL_OPTIONS")]
    [InlineData("HTTPS_PROXY")]
    [InlineData("https_proxy")]
    [InlineData("JTS_RUN_ID")]
    [InlineData("GIT_SSH_COMMAND")]
    public async Task NameTheRuntimeInterpretsIsRefused422OnALocalTemplateAndNothingStarts(string name)
    {
        await using var app = await TestApp.StartAsync(LocalJobs.Command("echo_job", "echo ran"));
        await app.Database.LocalTemplateAsync("echo_job");

        using var response = await app.PostJsonAsync("/v1/runs",
            LocalJobs.Body("runtime-name", new JsonObject { ["CITY"] = "London" }, new JsonObject { [name] = "/tmp/x" }));

        var problem = await response.ReadProblemAsync(HttpStatusCode.UnprocessableEntity, "/problems/parameters");
        Assert.Equal([$"runtime-parameters[1].{name}"], problem.ErrorKeys());
        Assert.Contains(name, problem.GetProperty("detail").GetString());
        Assert.Equal((0L, 0L, 0L), await app.Database.LaunchRowsAsync());
    }

    [Fact]
    public async Task ControlHubTemplatesTakeTheSameNamesBecauseNoProcessInterpretsThem()
    {
        await using var app = await TestApp.StartAsync();
        await app.Database.ExampleTemplateAsync();
        var set = LaunchBodies.City("London");
        set["HTTPS_PROXY"] = "http://proxy.example.com:3128";

        using var response = await app.PostJsonAsync("/v1/runs", LaunchBodies.Body(sets: set));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task TemplateMayAllowANameFromTheDenyListButNeverOneTheServiceSets()
    {
        await using var app = await TestApp.StartAsync(LocalJobs.Command("proxy_job", "echo \"proxy=$HTTPS_PROXY\""));
        await app.Database.LocalTemplateAsync("proxy_job", extraColumns: ", allowed_environment_names", extraValues: ", '{HTTPS_PROXY,PATH}'");

        var launched = await app.LaunchAsync(LocalJobs.Body("allowed", new JsonObject { ["HTTPS_PROXY"] = "http://proxy:3128" }));
        var run = await app.WaitForRunAsync(launched.RunId);
        using var path = await app.PostJsonAsync("/v1/runs", LocalJobs.Body("path", new JsonObject { ["PATH"] = "/nonexistent" }));

        Assert.Equal(RunStates.Succeeded, run.State);
        Assert.Contains("proxy=http://proxy:3128", (await app.ReadLogAsync(run.RunId)).Lines.Select(l => l.Text));
        var problem = await path.ReadProblemAsync(HttpStatusCode.UnprocessableEntity, "/problems/parameters");
        Assert.Equal(["runtime-parameters[0].PATH"], problem.ErrorKeys());
    }

    [Fact]
    public async Task StaticParameterWithARuntimeNameIsRefusedWhenTheTemplateIsLoaded()
    {
        await using var app = await TestApp.StartAsync(LocalJobs.Command("echo_job", "echo ran"));
        await app.Database.LocalTemplateAsync("echo_job", sourceParameters: """{"LD_PRELOAD": "/tmp/evil.so"}""");

        using var launch = await app.PostJsonAsync("/v1/runs", LocalJobs.Body("static-name"));
        using var plan = await app.PostJsonAsync("/v1/runs/plan", LocalJobs.Body("static-name"));

        var problem = await launch.ReadProblemAsync(HttpStatusCode.UnprocessableEntity, "/problems/parameters");
        Assert.Equal(["source_runtime_parameters.LD_PRELOAD"], problem.ErrorKeys());
        Assert.Equal((0L, 0L, 0L), await app.Database.LaunchRowsAsync());
        Assert.Contains("source_runtime_parameters.LD_PRELOAD", await plan.Content.ReadAsStringAsync());
    }

    [Fact]
    public void TheRuleNamesWhatIsWrongWithEachStaticKey()
    {
        var template = new JobTemplate
        {
            Platform = PlatformNames.Kubernetes, SourceRuntimeParameters = """{"CITY": "x", "NODE_OPTIONS": "--require /x"}""",
            DestinationConnectionInfo = """{"bad key": "y", "HTTPS_PROXY": "p"}""", AllowedEnvironmentNames = ["HTTPS_PROXY"],
        };

        var problems = JobEnvironmentNames.TemplateProblems(template);

        Assert.Equal(["destination_connection_info.bad key", "source_runtime_parameters.NODE_OPTIONS"], problems.Keys.Order(StringComparer.Ordinal));
    }
}
