using JobTemplateService;
using Microsoft.Extensions.Options;

// appsettings.json lives beside the binary; database.ini and platform.ini in the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddConfigurationFiles(args);
builder.AddJobTemplateService();

var app = builder.Build();
if (ApiKeyCommands.IsCommand(args))
{
    Environment.ExitCode = await app.RunCommandAsync(args);
    return;
}

app.UseJobTemplateServicePipeline();
app.MapRunsApi();
app.MapMetricsApi();
app.MapTemplatesApi();
app.MapAdminApi();
app.MapOperationalEndpoints();

try
{
    await app.RunAsync();
}
catch (OptionsValidationException ex)
{
    // One line naming the file and key, instead of a stack trace, for a wrong configuration.
    Console.Error.WriteLine($"configuration error: {string.Join("; ", ex.Failures)}");
    Environment.ExitCode = 2;
}

public partial class Program;
