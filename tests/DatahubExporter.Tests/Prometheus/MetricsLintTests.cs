using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using CkafkaSimulator;

namespace DatahubExporter.Tests.Prometheus;

/// <summary>
/// Everything the real exporter serves, fed to the real <c>promtool check metrics</c> (spec/exporter.md,
/// "Metrics on the two scrape paths": all of it passes apart from the compatibility names). The simulator
/// serves its hostile names (quotes, backslashes, newlines, CJK, emoji, 2000-character names), so the
/// escaping is linted by Prometheus' own parser, not only by ours.
/// </summary>
public partial class MetricsLintTests : EndToEndFixture
{
    private const string Format004 = "text/plain; version=0.0.4; charset=utf-8";

    // promtool's exit code when linting found problems (1 is a parse or usage error).
    private const int LintProblemsExitCode = 3;

    private const string CamelCaseFinding = "label names should be written in 'snake_case' not 'camelCase'";
    private const string CountSuffixFinding = "non-histogram and non-summary metrics should not have \"_count\" suffix";
    private const string SumSuffixFinding = "non-histogram and non-summary metrics should not have \"_sum\" suffix";

    /// <summary>
    /// The families that keep the original tool's CamelCase label names, because existing alert rules use
    /// <c>$labels.TaskId</c> etc. (spec/exporter.md, "Compatibility core" and the *_info families).
    /// </summary>
    private static readonly IReadOnlySet<string> CamelCaseFamilies = new HashSet<string>(StringComparer.Ordinal)
    {
        "datahub_task_status", "datahub_task_info", "connect_resource_status", "connect_resource_info",
        "datahub_task_error_info", "connect_resource_error_info",
        // The lag path names its task as the status series do (exporter.md "Is data flowing").
        "datahub_task_consumer_lag", "datahub_task_consumer_current_offset_sum",
    };

    /// <summary>The only CamelCase label names those families may carry.</summary>
    private static readonly IReadOnlySet<string> CompatibilityLabels = new HashSet<string>(StringComparer.Ordinal)
    {
        "TaskId", "TaskName", "ResourceId", "ResourceName", "TaskType", "SourceType", "TargetType", "DatahubId", "Type", "ErrorMessage",
    };

    /// <summary>Gauges by history whose names end in <c>_count</c> (spec: "*_error_count is a gauge by history").</summary>
    private static readonly IReadOnlySet<string> ErrorCountFamilies = new HashSet<string>(StringComparer.Ordinal)
    {
        "datahub_task_error_count", "connect_resource_error_count",
    };

    private ExporterStack _stack = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        // Fail fast (or skip) before starting anything when promtool is missing.
        _ = PrometheusTools.PromtoolPath;
        // 120 tasks and 110 resources: every hostile name, every status code, and more than one page.
        _stack = await ExporterStack.StartAsync(SimulatorOptions(tasks: 120, resources: 110));
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_stack is not null)
        {
            await _stack.StopAsync("exporter logs while linted");
        }
    }

    [TestCase("datahub_tasks", "datahub_task_status", LintProblemsExitCode)]
    [TestCase("connect_resources", "connect_resource_status", LintProblemsExitCode)]
    [TestCase("datahub_task_lag", "datahub_task_consumer_lag", LintProblemsExitCode)]
    [TestCase(null, "datahub_exporter_build_info", 0)]
    public async Task Served_exposition_passes_promtool_apart_from_the_documented_compatibility_findings(
        string? collector, string family, int expectedExitCode)
    {
        var path = collector is null ? "/metrics" : PathOf(collector);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_stack.Exporter.BaseAddress, path));
        request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse("text/plain; version=0.0.4"));
        using var response = await _stack.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(200), path);
        Assert.That(response.Content.Headers.ContentType!.ToString(), Is.EqualTo(Format004));
        // promtool passes an empty input, so prove the body is the real thing first.
        Assert.That(text, Does.Contain($"# TYPE {family} "));
        if (collector is "datahub_tasks" or "connect_resources")
        {
            // The hostile names really are in what promtool reads (the lag path carries ids, not names).
            Assert.That(text, Does.Contain("quote\\\"inside"));
            Assert.That(text, Does.Contain("new\\nline"));
            Assert.That(text, Does.Contain("back\\\\slash\\\\"));
            Assert.That(text, Does.Contain("数据同步任务"));
            Assert.That(text, Does.Contain("🚀"));
            Assert.That(text, Does.Contain(new string('x', 2000)));
        }

        var result = await PrometheusTools.RunPromtoolAsync(["check", "metrics"], stdin: text);

        var disallowed = DisallowedFindings(result.Output);
        Assert.That(disallowed, Is.Empty, $"promtool findings on {path} outside the documented compatibility ones:\n" + string.Join('\n', disallowed));
        Assert.That(result.ExitCode, Is.EqualTo(expectedExitCode), result.Output);
        Assert.That(UndocumentedCamelCaseLabels(text), Is.Empty, "CamelCase label names outside the compatibility list");
    }

    [Test]
    public async Task The_compatibility_findings_promtool_reports_are_exactly_the_expected_families()
    {
        // If promtool stopped flagging CamelCase the filter above would be untested; pin what it flags today.
        var output = "";
        foreach (var path in new[] { TasksPath, ResourcesPath })
        {
            var result = await PrometheusTools.RunPromtoolAsync(["check", "metrics"], stdin: await _stack.GetAsync(path));
            output += result.Output + "\n";
        }

        var flagged = Lines(output).Select(l => l.Split(' ', 2)[0]).Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.That(flagged, Is.EqualTo(new[]
        {
            "connect_resource_error_count", "connect_resource_error_info", "connect_resource_info", "connect_resource_status",
            "datahub_task_error_count", "datahub_task_error_info", "datahub_task_info", "datahub_task_status",
        }), output);
    }

    public static IEnumerable<TestCaseData> SyntheticExpositions()
    {
        yield return new TestCaseData(
                "# HELP datahub_task_restarts Restarts.\n# TYPE datahub_task_restarts counter\ndatahub_task_restarts 1\n",
                "datahub_task_restarts counter metrics should have \"_total\" suffix")
            .SetName("Counter_without_total_suffix_is_not_allowed");
        yield return new TestCaseData(
                "# HELP datahub_exporter_collect_success Ok.\n# TYPE datahub_exporter_collect_success gauge\ndatahub_exporter_collect_success{TaskId=\"a\"} 1\n",
                $"datahub_exporter_collect_success {CamelCaseFinding}")
            .SetName("CamelCase_label_on_a_family_outside_the_compatibility_core_is_not_allowed");
        yield return new TestCaseData(
                "# TYPE datahub_task_status gauge\ndatahub_task_status{region=\"r\",TaskId=\"a\",TaskName=\"n\"} 1\n",
                "datahub_task_status no help text")
            .SetName("Missing_help_on_a_compatibility_family_is_not_allowed");
        yield return new TestCaseData(
                "# HELP datahub_task_error_count Failed.\n# TYPE datahub_task_error_count counter\ndatahub_task_error_count 1\n",
                "datahub_task_error_count counter metrics should have \"_total\" suffix")
            .SetName("Error_count_turned_counter_is_not_allowed");
        yield return new TestCaseData(
                "datahub_task_status{TaskId=\"a} 1\n",
                "error while linting")
            .SetName("Unparsable_exposition_is_not_allowed");
    }

    [TestCaseSource(nameof(SyntheticExpositions))]
    public async Task The_allow_list_rejects_other_findings(string exposition, string expectedLineStart)
    {
        var result = await PrometheusTools.RunPromtoolAsync(["check", "metrics"], stdin: exposition);

        Assert.That(result.ExitCode, Is.Not.EqualTo(0), "promtool must flag this exposition: " + result.Output);
        Assert.That(DisallowedFindings(result.Output), Has.Some.StartsWith(expectedLineStart), result.Output);
    }

    [Test]
    public async Task The_allow_list_accepts_the_documented_findings_from_promtool()
    {
        const string exposition = """
            # HELP datahub_task_status Status.
            # TYPE datahub_task_status gauge
            datahub_task_status{region="r",TaskId="a",TaskName="n"} 1
            # HELP connect_resource_error_count Failed collections.
            # TYPE connect_resource_error_count gauge
            connect_resource_error_count{region="r"} 0

            """;

        var result = await PrometheusTools.RunPromtoolAsync(["check", "metrics"], stdin: exposition);

        Assert.That(result.ExitCode, Is.EqualTo(LintProblemsExitCode), result.Output);
        // One line per CamelCase label (TaskId, TaskName) and one for the "_count" suffix.
        Assert.That(Lines(result.Output), Has.Count.EqualTo(3), result.Output);
        Assert.That(DisallowedFindings(result.Output), Is.Empty);
    }

    [TestCase("datahub_task_status " + CamelCaseFinding, true)]
    [TestCase("connect_resource_info " + CamelCaseFinding, true)]
    [TestCase("datahub_task_error_count " + CountSuffixFinding, true)]
    [TestCase("connect_resource_error_count " + CountSuffixFinding, true)]
    [TestCase("datahub_exporter_collect_success " + CamelCaseFinding, false)]
    [TestCase("datahub_task_status " + CountSuffixFinding, false)]
    [TestCase("datahub_task_consumer_current_offset_sum " + SumSuffixFinding, true)]
    [TestCase("datahub_task_consumer_lag " + SumSuffixFinding, false)]
    [TestCase("datahub_task_status no help text", false)]
    [TestCase("datahub_task_error_count counter metrics should have \"_total\" suffix", false)]
    [TestCase("datahub_task_status_x " + CamelCaseFinding, false)]
    [TestCase("error while linting: text format parsing error in line 1", false)]
    public void Each_promtool_line_is_judged_on_its_own(string line, bool allowed)
    {
        Assert.That(DisallowedFindings(line + "\n"), Is.EqualTo(allowed ? Array.Empty<string>() : new[] { line }));
    }

    [Test]
    public void CamelCase_labels_outside_the_compatibility_list_are_found()
    {
        const string exposition = "datahub_task_status{region=\"r\",TaskId=\"a\",TaskName=\"n\"} 1\n"
            + "datahub_task_info{region=\"r\",TaskId=\"a\",ClusterId=\"c\"} 1\n"
            + "datahub_exporter_collect_success{Region=\"r\"} 1\n";

        Assert.That(UndocumentedCamelCaseLabels(exposition), Is.EqualTo(new[] { "datahub_task_info ClusterId", "datahub_exporter_collect_success Region" }));
    }

    /// <summary>
    /// The lines of promtool's output that are not one of the documented compatibility findings: CamelCase
    /// label names on the four compatibility families, and the "_count" suffix of the two error-count gauges.
    /// Anything else — another problem, a parse error, a family not listed — is returned as is.
    /// </summary>
    internal static IReadOnlyList<string> DisallowedFindings(string promtoolOutput) =>
        Lines(promtoolOutput).Where(line => !IsAllowed(line)).ToList();

    private static bool IsAllowed(string line)
    {
        var parts = line.Split(' ', 2);
        if (parts.Length != 2)
        {
            return false;
        }

        var (family, text) = (parts[0], parts[1]);
        return (CamelCaseFamilies.Contains(family) && text == CamelCaseFinding)
            || (ErrorCountFamilies.Contains(family) && text == CountSuffixFinding)
            // The contract's name, after kafka_exporter's kafka_consumergroup_current_offset_sum, which lag dashboards know.
            || (family == "datahub_task_consumer_current_offset_sum" && text == SumSuffixFinding);
    }

    /// <summary>
    /// promtool only says "some label is CamelCase"; this says which, by our independent parser: every
    /// label name with an upper-case letter must be a compatibility label on a compatibility family.
    /// </summary>
    private static IReadOnlyList<string> UndocumentedCamelCaseLabels(string exposition) =>
        ExpositionParser.Parse(exposition)
            .SelectMany(s => s.Labels.Keys.Select(label => (s.Name, Label: label)))
            .Where(x => HasUpper().IsMatch(x.Label) && !(CamelCaseFamilies.Contains(x.Name) && CompatibilityLabels.Contains(x.Label)))
            .Select(x => $"{x.Name} {x.Label}")
            .Distinct()
            .ToList();

    private static List<string> Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    [GeneratedRegex("[A-Z]")]
    private static partial Regex HasUpper();
}
