using JobTemplateService;
using Microsoft.Extensions.Options;

var builder = WebApplication.CreateBuilder(args);
builder.AddConfigurationFiles(args);
builder.AddJobTemplateService();

var app = builder.Build();
app.UseJobTemplateServicePipeline();
app.MapRunsApi();
app.MapMetricsApi();
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
