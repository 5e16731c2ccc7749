using JobTemplateService.Catalog;
using JobTemplateService.Configuration;
using JobTemplateService.Hosting;
using JobTemplateService.Schema;
using JobTemplateService.Security;

// Generating the one-file psql install needs no configuration and no database.
if (MigrateCommand.IsScriptRequest(args))
{
    return MigrateCommand.WriteScript(Console.Out);
}

// appsettings.json lives beside the binary; database.ini and platform.ini in the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
if (!builder.TryAddConfigurationFiles(args, out var fileProblem))
{
    return ConfigurationError(fileProblem!);
}
builder.AddJobTemplateService();

var app = builder.Build();
// Migrating needs database.ini only, not a platform: checked by the verb itself.
if (MigrateCommand.IsCommand(args))
{
    return await MigrateCommand.RunAsync(app.Services, args, Console.Out, Console.Error);
}
// A wrong or missing value stops the process with one line naming the file and key.
if (ConfigurationFiles.Problems(app.Services) is { } problems)
{
    return ConfigurationError(problems);
}
// Nothing reads the database before its schema is the one this build expects (or is migrated to it).
if (await StartupSchemaCheck.RunAsync(app.Services, Console.Error, CancellationToken.None) is { } schemaExitCode)
{
    return schemaExitCode;
}
if (ApiKeyCommands.IsCommand(args)) return await app.RunCommandAsync(args);
if (TemplateCommands.IsCommand(args)) return await TemplateCommands.RunAsync(app.Services, args, Console.Out, CancellationToken.None);

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
