using System.Text.RegularExpressions;

namespace JobTemplateService.Tests;

/// <summary>
/// The schema repeats state lists that cannot be built from the service's own (partial-index
/// predicates, CHECK constraints, refresh_run_state). A predicate that drifts from the list the
/// queries use silently stops being used, so each is read back from a real database and compared.
/// </summary>
public sealed partial class InstanceStateSchemaTests(SharedDatabase shared) : IClassFixture<SharedDatabase>
{
    private TestDatabase Database => shared.Database;

    [Fact]
    public async Task MonitorClaimIndexCoversExactlyTheActiveStatesAndPendingCleanUps()
    {
        var predicate = await IndexPredicateAsync("run_instance_due_idx");

        Assert.Equal(Sorted(InstanceStates.Active), Literals(predicate));
        Assert.Contains("OR cleanup_pending", predicate);
    }

    [Fact]
    public async Task StoppingIndexCoversExactlyTheActiveStatesBeingStopped()
    {
        var predicate = await IndexPredicateAsync("run_instance_stopping_idx");

        Assert.Equal(Sorted(InstanceStates.Active), Literals(predicate));
        Assert.Contains("stop_reason IS NOT NULL", predicate);
    }

    [Fact]
    public async Task ConcurrencyLimitIndexCoversExactlyTheLiveStates()
    {
        var predicate = await IndexPredicateAsync("run_instance_template_live_idx");

        Assert.Equal(Sorted(InstanceStates.Live), Literals(predicate));
    }

    [Fact]
    public async Task StateChecksAllowExactlyTheKnownStates()
    {
        Assert.Equal(Sorted(InstanceStates.All), ArrayConstant(await ConstraintAsync("run_instance_state_check")));
        Assert.Equal(Sorted(RunStates.All), ArrayConstant(await ConstraintAsync("run_state_check")));
    }

    /// <summary>
    /// Written as one array constant (migration 0009): PostgreSQL rebuilds CHECK expressions for
    /// every statement that writes the table, and an IN list of literals costs twice as much.
    /// </summary>
    [Theory]
    [InlineData("run_instance_state_check")]
    [InlineData("run_instance_stop_reason_check")]
    [InlineData("run_state_check")]
    [InlineData("launch_request_key_kind_check")]
    public async Task ChecksOnLaunchTablesNameTheirValuesAsOneArrayConstant(string constraint)
    {
        var definition = await ConstraintAsync(constraint);

        Assert.Matches(ArrayConstantPattern(), definition);
        Assert.DoesNotContain("ARRAY[", definition);
    }

    [Fact]
    public async Task RefreshRunStateCountsTheTerminalStatesAndNamesNoOtherState()
    {
        var text = await Database.QuerySingleAsync<string>(
            "SELECT p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace " +
            "WHERE n.nspname = 'streamsets' AND p.proname = 'refresh_run_state'");

        var filters = StateFilter().Matches(text).Select(m => Literals(m.Groups[1].Value)).ToList();

        Assert.Contains(Sorted(InstanceStates.Terminal), filters);
        Assert.Empty(Literals(text).Except(InstanceStates.All).Except(RunStates.All).Except(["jts_run_finished"]));
    }

    private async Task<string> IndexPredicateAsync(string index) =>
        await Database.QuerySingleAsync<string>("""
            SELECT pg_get_expr(i.indpred, i.indrelid)
              FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'streamsets' AND c.relname = @index
            """, new { index });

    private async Task<string> ConstraintAsync(string name) =>
        await Database.QuerySingleAsync<string>("""
            SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
             WHERE n.nspname = 'streamsets' AND c.conname = @name
            """, new { name });

    /// <summary>The distinct string literals of an SQL text, sorted.</summary>
    private static List<string> Literals(string sql) => Sorted(Literal().Matches(sql).Select(m => m.Groups[1].Value));

    /// <summary>The elements of the one text-array constant of a constraint, sorted; empty when it has none.</summary>
    private static List<string> ArrayConstant(string sql) =>
        ArrayConstantPattern().Match(sql) is { Success: true } m ? Sorted(m.Groups[1].Value.Split(',')) : [];

    private static List<string> Sorted(IEnumerable<string> values) => values.Distinct().Order(StringComparer.Ordinal).ToList();

    [GeneratedRegex(@"'\{([A-Za-z_,]+)\}'::text\[\]")]
    private static partial Regex ArrayConstantPattern();

    [GeneratedRegex("'([A-Za-z_]+)'")]
    private static partial Regex Literal();

    [GeneratedRegex(@"FILTER\s*\(\s*WHERE\s+state\s+IN\s*\(([^)]*)\)\s*\)", RegexOptions.IgnoreCase)]
    private static partial Regex StateFilter();
}
