using System.Diagnostics;
using NUnit.Framework.Interfaces;

// One line per finished fixture while the suite runs (dotnet test otherwise prints nothing until the assembly
// is done, which takes minutes), one line per skipped test with its reason (a missing tool, a platform), and one
// line with the assembly's count and time at its end.
[assembly: TestRunProgress]

/// <summary>
/// Counts each test's outcome under its fixture and writes the fixture's line when its last test has finished. The
/// line goes to <see cref="TestContext.Error"/>: the NUnit adapter hands that stream to <c>dotnet test</c> as a
/// warning, which its console shows at once at the default verbosity (<see cref="TestContext.Progress"/> is only
/// shown at <c>--logger "console;verbosity=normal"</c>, together with a line per test). Fixtures run in parallel
/// (Parallelism.cs), so each keeps its own tally, and a fixture's time is the span from its first test's start to its
/// last test's end (its <c>[OneTimeSetUp]</c> and tear-down not included); the lines come in the order fixtures
/// finish. A fixture's last test is known by counting its runnable tests; under a <c>--filter</c> that runs only some
/// of them, its line comes at the end of the run instead. Thread-safe: every method takes the one lock.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly)]
internal sealed class TestRunProgressAttribute : Attribute, ITestAction
{
    private static readonly object Gate = new();
    private static readonly Stopwatch Run = Stopwatch.StartNew();
    private static readonly Dictionary<ITest, FixtureTally> Running = [];
    private static int _passed;
    private static int _failed;
    private static int _skipped;

    public ActionTargets Targets => ActionTargets.Test;

    public void BeforeTest(ITest test)
    {
        var fixture = FixtureOf(test);
        lock (Gate)
        {
            if (!Running.ContainsKey(fixture))
            {
                Running[fixture] = new FixtureTally(FixtureName(test), RunnableTests(fixture), Run.Elapsed);
            }
        }
    }

    public void AfterTest(ITest test)
    {
        var result = TestContext.CurrentContext.Result;
        var outcome = result.Outcome.Status;
        var fixture = FixtureOf(test);
        lock (Gate)
        {
            if (!Running.TryGetValue(fixture, out var tally))
            {
                return;
            }

            tally.LastEnd = Run.Elapsed;
            switch (outcome)
            {
                case TestStatus.Passed: tally.Passed++; _passed++; break;
                case TestStatus.Failed: tally.Failed++; _failed++; break;
                default:
                    tally.Skipped++;
                    _skipped++;
                    TestContext.Error.WriteLine(SkipLine($"{tally.Name}.{test.Name}", result.Message));
                    break;
            }

            if (tally.Finished >= tally.Expected)
            {
                Running.Remove(fixture);
                Write(tally);
            }
        }
    }

    /// <summary>Called once the whole assembly has run, by <see cref="TestRunProgressEnd"/>: the fixtures a filter ran
    /// only in part, then the assembly's line.</summary>
    internal static void WriteEnd()
    {
        lock (Gate)
        {
            foreach (var tally in Running.Values.OrderBy(t => t.Name, StringComparer.Ordinal))
            {
                Write(tally);
            }

            Running.Clear();
            TestContext.Error.WriteLine(
                $"[progress] {typeof(TestRunProgressAttribute).Assembly.GetName().Name}: {_passed} passed, {_failed} failed, " +
                $"{_skipped} skipped in {Run.Elapsed.TotalSeconds:F0} s");
        }
    }

    /// <summary>The line a skipped test gets: its name and the reason it gave, on one line.</summary>
    internal static string SkipLine(string test, string? reason) =>
        $"[progress] skipped {test}: {(string.IsNullOrWhiteSpace(reason) ? "no reason given" : string.Join(' ', reason.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))}";

    /// <summary>The line a fixture gets when its last test has finished.</summary>
    internal static string FixtureLine(double runSeconds, string fixture, int passed, int failed, int skipped, double fixtureSeconds)
    {
        var failedText = failed > 0 ? $", {failed} FAILED" : "";
        var skippedText = skipped > 0 ? $", {skipped} skipped" : "";
        return FormattableString.Invariant(
            $"[progress] {runSeconds,5:F0} s  {fixture}: {passed} passed{failedText}{skippedText} in {fixtureSeconds:F1} s");
    }

    /// <summary>The fixture a test case belongs to (its parameterized-method suite skipped); the test itself when it
    /// has none.</summary>
    private static ITest FixtureOf(ITest test)
    {
        for (var t = test.Parent; t is not null; t = t.Parent)
        {
            if (t.IsSuite && t.Method is null && t.TypeInfo is not null)
            {
                return t;
            }
        }

        return test;
    }

    /// <summary>How many test cases under <paramref name="fixture"/> NUnit will run when no filter leaves any out
    /// (an ignored or explicit test never reaches the action).</summary>
    private static int RunnableTests(ITest fixture) =>
        fixture.IsSuite ? fixture.Tests.Sum(RunnableTests) : fixture.RunState == RunState.Runnable ? 1 : 0;

    private static string FixtureName(ITest test) =>
        test.ClassName is { } name && name.StartsWith("DatahubExporter.Tests.", StringComparison.Ordinal)
            ? name["DatahubExporter.Tests.".Length..]
            : test.ClassName ?? test.FullName;

    private static void Write(FixtureTally tally) =>
        TestContext.Error.WriteLine(FixtureLine(Run.Elapsed.TotalSeconds, tally.Name, tally.Passed, tally.Failed, tally.Skipped,
            (tally.LastEnd - tally.Started).TotalSeconds));

    private sealed class FixtureTally(string name, int expected, TimeSpan started)
    {
        public string Name { get; } = name;
        public int Expected { get; } = expected;
        public TimeSpan Started { get; } = started;
        public int Passed { get; set; }
        public int Failed { get; set; }
        public int Skipped { get; set; }
        public int Finished => Passed + Failed + Skipped;
        public TimeSpan LastEnd { get; set; } = started;
    }
}

/// <summary>Outside every namespace, so its tear-down runs once after all the assembly's fixtures.</summary>
[SetUpFixture]
internal sealed class TestRunProgressEnd
{
    [OneTimeTearDown]
    public void WriteEnd() => TestRunProgressAttribute.WriteEnd();
}
