using JobTemplateService.Configuration;
using JobTemplateService.Hosting;
using JobTemplateService.Security;

// appsettings.json lives beside the binary; database.ini and platform.ini in the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
if (!builder.TryAddConfigurationFiles(args, out var fileProblem))
{
    return ConfigurationError(fileProblem!);
}
builder.AddJobTemplateService();

var app = builder.Build();
// A wrong or missing value stops the process with one line naming the file and key.
if (ConfigurationFiles.Problems(app.Services) is { } problems)
{
    return ConfigurationError(problems);
}
if (ApiKeyCommands.IsCommand(args))
{
    return await app.RunCommandAsync(args);
}

app.UseJobTemplateServicePipeline();
app.MapJobTemplateServiceEndpoints();
await app.RunAsync();
return 0;

static int ConfigurationError(string problem)
{
    Console.Error.WriteLine($"configuration error: {problem}");
    return 2;
}

public partial class Program;
