using System.Text.RegularExpressions;

namespace DatahubExporter.Soak;

/// <summary>
/// The exporter's standard error, sorted: "collection failed" warnings by collector and region (one per failed
/// collection, to compare with the expected count), and anything that looks like a crash or an unexpected
/// failure — "Unhandled", stack-trace frames, error-level lines, "Exception", any other line containing "fail",
/// and collections that failed through the catch-all ("unexpected …") rather than a classified API error.
/// </summary>
public sealed partial record StderrAnalysis(
    int Lines,
    int WarnLines,
    IReadOnlyDictionary<(string Collector, string Region), int> CollectionFailedLines,
    IReadOnlyList<string> CrashLines,
    int CrashLineCount)
{
    private const int KeptLines = 20;

    public static StderrAnalysis Analyze(string stderr)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var failed = new Dictionary<(string, string), int>();
        var crash = new List<string>();
        var crashCount = 0;
        var warn = 0;
        foreach (var line in lines)
        {
            if (line.Contains("level=warn", StringComparison.Ordinal))
            {
                warn++;
            }

            if (line.Contains("msg=\"collection failed\"", StringComparison.Ordinal))
            {
                var collector = CollectorField().Match(line).Groups[1].Value;
                var region = RegionField().Match(line).Groups[1].Value;
                failed[(collector, region)] = failed.GetValueOrDefault((collector, region)) + 1;
                if (!line.Contains("err=\"unexpected ", StringComparison.Ordinal) && !line.Contains("Exception", StringComparison.Ordinal))
                {
                    continue;
                }
            }

            var suspicious = line.Contains("Unhandled", StringComparison.OrdinalIgnoreCase)
                             || StackFrame().IsMatch(line)
                             || line.Contains("level=error", StringComparison.Ordinal)
                             || line.Contains("Exception", StringComparison.Ordinal)
                             || line.Contains("fail", StringComparison.OrdinalIgnoreCase)
                             || line.Contains("err=\"unexpected ", StringComparison.Ordinal);
            if (suspicious)
            {
                crashCount++;
                if (crash.Count < KeptLines)
                {
                    crash.Add(line);
                }
            }
        }

        return new StderrAnalysis(lines.Length, warn, failed, crash, crashCount);
    }

    [GeneratedRegex(@"\bcollector=(\S+)")]
    private static partial Regex CollectorField();

    [GeneratedRegex(@"\bregion=(\S+)")]
    private static partial Regex RegionField();

    [GeneratedRegex(@"^\s+at \S+|--- End of (inner exception )?stack trace")]
    private static partial Regex StackFrame();
}
