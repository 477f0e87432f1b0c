using System.Diagnostics;
using NUnit.Framework.Interfaces;

// One line per finished fixture while the suite runs (dotnet test otherwise prints nothing until the assembly
// is done, which takes minutes), one line per skipped test with its reason (a missing tool, a platform), and one
// line with the assembly's count and time at its end.
[assembly: TestRunProgress]

/// <summary>
/// Counts each test's outcome under its fixture and writes a line when the run moves on to the next fixture. The
/// line goes to <see cref="TestContext.Error"/>: the NUnit adapter hands that stream to <c>dotnet test</c> as a
/// warning, which its console shows at once at the default verbosity (<see cref="TestContext.Progress"/> is only
/// shown at <c>--logger "console;verbosity=normal"</c>, together with a line per test). The suite runs one fixture at a
/// time (nothing here is <c>[Parallelizable]</c>); should that change, the lines stay correct per fixture but
/// may come later.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly)]
internal sealed class TestRunProgressAttribute : Attribute, ITestAction
{
    private static readonly object Gate = new();
    private static readonly Stopwatch Run = Stopwatch.StartNew();
    private static FixtureTally? _current;
    private static int _passed;
    private static int _failed;
    private static int _skipped;

    public ActionTargets Targets => ActionTargets.Test;

    public void BeforeTest(ITest test)
    {
        lock (Gate)
        {
            var fixture = FixtureName(test);
            if (_current?.Name != fixture)
            {
                WriteCurrent();
                _current = new FixtureTally(fixture, Run.Elapsed);
            }
        }
    }

    public void AfterTest(ITest test)
    {
        var result = TestContext.CurrentContext.Result;
        var outcome = result.Outcome.Status;
        lock (Gate)
        {
            if (_current is null || _current.Name != FixtureName(test))
            {
                return;
            }

            switch (outcome)
            {
                case TestStatus.Passed: _current.Passed++; _passed++; break;
                case TestStatus.Failed: _current.Failed++; _failed++; break;
                default:
                    _current.Skipped++;
                    _skipped++;
                    TestContext.Error.WriteLine(SkipLine($"{_current.Name}.{test.Name}", result.Message));
                    break;
            }
        }
    }

    /// <summary>Called once the whole assembly has run, by <see cref="TestRunProgressEnd"/>.</summary>
    internal static void WriteEnd()
    {
        lock (Gate)
        {
            WriteCurrent();
            _current = null;
            TestContext.Error.WriteLine(
                $"[progress] {typeof(TestRunProgressAttribute).Assembly.GetName().Name}: {_passed} passed, {_failed} failed, " +
                $"{_skipped} skipped in {Run.Elapsed.TotalSeconds:F0} s");
        }
    }

    /// <summary>The line a skipped test gets: its name and the reason it gave, on one line.</summary>
    internal static string SkipLine(string test, string? reason) =>
        $"[progress] skipped {test}: {(string.IsNullOrWhiteSpace(reason) ? "no reason given" : string.Join(' ', reason.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))}";

    private static string FixtureName(ITest test) =>
        test.ClassName is { } name && name.StartsWith("DatahubExporter.Tests.", StringComparison.Ordinal)
            ? name["DatahubExporter.Tests.".Length..]
            : test.ClassName ?? test.FullName;

    private static void WriteCurrent()
    {
        if (_current is not { } tally)
        {
            return;
        }

        var failed = tally.Failed > 0 ? $", {tally.Failed} FAILED" : "";
        var skipped = tally.Skipped > 0 ? $", {tally.Skipped} skipped" : "";
        TestContext.Error.WriteLine(
            $"[progress] {Run.Elapsed.TotalSeconds,5:F0} s  {tally.Name}: {tally.Passed} passed{failed}{skipped} " +
            $"in {(Run.Elapsed - tally.Started).TotalSeconds:F1} s");
    }

    private sealed class FixtureTally(string name, TimeSpan started)
    {
        public string Name { get; } = name;
        public TimeSpan Started { get; } = started;
        public int Passed { get; set; }
        public int Failed { get; set; }
        public int Skipped { get; set; }
    }
}

/// <summary>Outside every namespace, so its tear-down runs once after all the assembly's fixtures.</summary>
[SetUpFixture]
internal sealed class TestRunProgressEnd
{
    [OneTimeTearDown]
    public void WriteEnd() => TestRunProgressAttribute.WriteEnd();
}
