namespace JobTemplateService.Tests;

/// <summary>
/// One database for all the tests of a class that only read it or keep to rows of their own
/// (xunit class fixture); dropped when the class is done.
/// </summary>
public sealed class SharedDatabase : IAsyncLifetime
{
    private TestDatabase? database;

    public TestDatabase Database => database ?? throw new InvalidOperationException("The shared database was not created.");

    public async Task InitializeAsync() => database = await TestDatabase.CreateAsync();

    public async Task DisposeAsync()
    {
        if (database is not null) await database.DisposeAsync();
    }
}
