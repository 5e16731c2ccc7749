using FakeControlHub;

// Standalone: dotnet FakeControlHub.dll --urls http://127.0.0.1:PORT [--Fake:FailureRate=0.2 ...]
var builder = WebApplication.CreateSlimBuilder(args);
var options = builder.Configuration.GetSection(FakeOptions.Section).Get<FakeOptions>() ?? new FakeOptions();
var app = FakeControlHubServer.Build(builder, options);
app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine($"Fake Control Hub listening on {string.Join(", ", app.Urls)}"));
app.Run();
