using JobTemplateService.Benchmarks;

// bench/run.sh prepares PostgreSQL and the published builds, then runs this driver, which runs every
// scenario and writes the report. "host" mode is the service's app with the floor route (a child process).
if (args.FirstOrDefault() == BenchHost.Mode) return await BenchHost.RunAsync(args[1..]);
return await Driver.RunAsync(BenchSettings.FromEnvironment(args));
