using YamlDotNet.RepresentationModel;

namespace DatahubExporter.Tests.Prometheus;

/// <summary>rules/datahub_exporter.rules.yml, checked and unit-tested by the real promtool.</summary>
public class AlertRulesTests
{
    private const string RulesFile = "rules/datahub_exporter.rules.yml";
    private const string RulesTestFile = "rules/datahub_exporter.rules.test.yml";

    // The original tool's alert names: Alertmanager routes of existing users match on them.
    private static readonly string[] CompatibilityAlerts =
        ["connect_resource_status", "datahub_task_status", "datahub_task_error_count", "connect_resource_error_count"];

    private static readonly string[] NewAlerts =
    [
        "DatahubExporterDown", "DatahubExporterCollectFailing",
        "DatahubTaskTransitionalTooLong", "ConnectResourceTransitionalTooLong",
        "DatahubExporterCredentialsExpiring", "DatahubExporterConfigReloadFailed",
        "DatahubTaskConsumerLagGrowing", "DatahubTaskConsumerStuck",
    ];

    [Test]
    public async Task Promtool_check_rules_passes()
    {
        var result = await PrometheusTools.RunPromtoolAsync(["check", "rules", PrometheusTools.RepoPath(RulesFile)]);

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Output);
        Assert.That(result.Output, Does.Contain($"SUCCESS: {CompatibilityAlerts.Length + NewAlerts.Length} rules found"));
    }

    [Test]
    public async Task Promtool_test_rules_passes()
    {
        var result = await PrometheusTools.RunPromtoolAsync(["test", "rules", PrometheusTools.RepoPath(RulesTestFile)]);

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Output);
        Assert.That(result.Output, Does.Contain("SUCCESS"));
    }

    [TestCase("datahub_task_status{job=", "datahub_task_state{job=", TestName = "Misspelt_task_status_metric_makes_promtool_test_rules_fail")]
    [TestCase("connect_resource_error_count{job=", "connect_resource_errors{job=", TestName = "Misspelt_resource_error_metric_makes_promtool_test_rules_fail")]
    [TestCase("datahub_exporter_collect_success == 0", "datahub_exporter_collect_succes == 0", TestName = "Misspelt_collect_success_metric_makes_promtool_test_rules_fail")]
    [TestCase("changes(datahub_task_consumer_current_offset_sum{job=\"datahub-exporter-datahub-task-lag\"}[15m]) == 0",
        "changes(datahub_task_consumer_current_offset_sum{job=\"datahub-exporter-datahub-task-lag\"}[15m]) >= 0",
        TestName = "Stuck_alert_that_ignores_moving_offsets_makes_promtool_test_rules_fail")]
    [TestCase("and delta(datahub_task_consumer_lag{job=\"datahub-exporter-datahub-task-lag\"}[30m]) > 0",
        "and delta(datahub_task_consumer_lag{job=\"datahub-exporter-datahub-task-lag\"}[30m]) > -1e9",
        TestName = "Lag_alert_that_ignores_the_trend_makes_promtool_test_rules_fail")]
    [TestCase("up{job=~\"datahub-exporter-.*\"} == 0", "up{job=~\"datahub_exporter-.*\"} == 0", TestName = "Wrong_job_selector_makes_promtool_test_rules_fail")]
    [TestCase("datahub_exporter_credentials_expiry_timestamp_seconds - time() < 300", "datahub_exporter_credentials_expiry_timestamp_seconds < 300",
        TestName = "Credentials_alert_without_time_makes_promtool_test_rules_fail")]
    [TestCase("datahub_exporter_config_last_reload_successful == 0", "datahub_exporter_config_last_reload_success == 0",
        TestName = "Misspelt_reload_metric_makes_promtool_test_rules_fail")]
    public async Task Breaking_a_rule_makes_the_rule_tests_fail(string original, string broken)
    {
        // Proves the unit tests have teeth: the same tests against a damaged copy of the rules must fail.
        using var temp = new TempDirectory("rules-teeth-");
        var dir = temp.Path;
        var rules = await File.ReadAllTextAsync(PrometheusTools.RepoPath(RulesFile));
        Assert.That(rules, Does.Contain(original), "the text to break is not in the rules any more");
        await File.WriteAllTextAsync(Path.Combine(dir, Path.GetFileName(RulesFile)), rules.Replace(original, broken));
        File.Copy(PrometheusTools.RepoPath(RulesTestFile), Path.Combine(dir, Path.GetFileName(RulesTestFile)));

        var result = await PrometheusTools.RunPromtoolAsync(["test", "rules", Path.GetFileName(RulesTestFile)], workingDirectory: dir);

        Assert.That(result.ExitCode, Is.Not.EqualTo(0), result.Output);
        Assert.That(result.Output, Does.Contain("FAILED"));
    }

    [Test]
    public void Rules_keep_the_original_alert_names_and_add_the_new_ones()
    {
        var names = Alerts().Select(a => YamlTree.Scalar(a, "alert")).ToList();

        Assert.That(names, Is.EquivalentTo(CompatibilityAlerts.Concat(NewAlerts)));
        Assert.That(YamlTree.Scalar(Groups().Single(), "name"), Is.EqualTo("datahub-exporter"));
    }

    [TestCase("connect_resource_status", "datahub-exporter-connect-resources")]
    [TestCase("datahub_task_status", "datahub-exporter-datahub-task")]
    [TestCase("datahub_task_error_count", "datahub-exporter-datahub-task")]
    [TestCase("connect_resource_error_count", "datahub-exporter-connect-resources")]
    public void Compatibility_alerts_keep_the_original_job_selector(string alert, string job)
    {
        var expr = YamlTree.Scalar(Alert(alert), "expr");

        Assert.That(expr, Does.Contain($"{alert}{{job=\"{job}\"}}"));
    }

    [Test]
    public void Every_alert_has_severity_summary_and_description()
    {
        Assert.Multiple(() =>
        {
            foreach (var alert in Alerts())
            {
                var name = YamlTree.Scalar(alert, "alert");
                Assert.That(YamlTree.Scalar(YamlTree.Child(alert, "labels"), "severity"), Is.AnyOf("critical", "warning"), name);
                var annotations = (YamlMappingNode)YamlTree.Child(alert, "annotations");
                Assert.That(annotations.Children.Keys.Select(k => k.ToString()), Is.EquivalentTo(new[] { "summary", "description" }), name);
            }
        });
    }

    [TestCase("datahub_task_status", "TaskId", "TaskName")]
    [TestCase("DatahubTaskTransitionalTooLong", "TaskId", "TaskName")]
    [TestCase("connect_resource_status", "ResourceId", "ResourceName")]
    [TestCase("ConnectResourceTransitionalTooLong", "ResourceId", "ResourceName")]
    [TestCase("datahub_task_error_count", "region", "region")]
    [TestCase("connect_resource_error_count", "region", "region")]
    [TestCase("DatahubExporterCollectFailing", "region", "collector")]
    [TestCase("DatahubExporterDown", "instance", "job")]
    [TestCase("DatahubExporterCredentialsExpiring", "instance", "source")]
    [TestCase("DatahubExporterConfigReloadFailed", "instance", "file")]
    [TestCase("DatahubTaskConsumerLagGrowing", "TaskId", "topic")]
    [TestCase("DatahubTaskConsumerStuck", "TaskId", "topic")]
    public void Annotations_name_the_affected_object(string alert, string idLabel, string nameLabel)
    {
        var annotations = YamlTree.Child(Alert(alert), "annotations");
        foreach (var key in new[] { "summary", "description" })
        {
            var text = YamlTree.Scalar(annotations, key);
            Assert.That(text, Does.Contain($"$labels.{idLabel}").And.Contain($"$labels.{nameLabel}"), $"{alert} {key}");
        }
    }

    [Test]
    public void Rules_use_only_metrics_the_exporter_serves()
    {
        foreach (var alert in Alerts())
        {
            var expr = YamlTree.Scalar(alert, "expr");
            Assert.That(ExporterMetricNames.UnknownIn(expr), Is.Empty, YamlTree.Scalar(alert, "alert"));
        }
    }

    [Test]
    public void Unknown_metric_names_are_detected()
    {
        // The check above must be able to fail.
        Assert.That(ExporterMetricNames.UnknownIn("datahub_task_state{collector=\"datahub_tasks\"} != 1 or up"),
            Is.EqualTo(new[] { "datahub_task_state" }));
    }

    [Test]
    public void Every_alert_is_tested_both_firing_and_silent()
    {
        var tests = YamlTree.Sequence(YamlTree.LoadMapping(PrometheusTools.RepoPath(RulesTestFile)), "tests");
        var cases = tests.Children
            .SelectMany(t => YamlTree.Sequence(t, "alert_rule_test").Children)
            .Select(c => (Name: YamlTree.Scalar(c, "alertname"), Fires: YamlTree.Sequence(c, "exp_alerts").Children.Count > 0))
            .ToList();

        Assert.Multiple(() =>
        {
            foreach (var name in CompatibilityAlerts.Concat(NewAlerts))
            {
                Assert.That(cases.Any(c => c.Name == name && c.Fires), Is.True, $"{name}: no case where it fires");
                Assert.That(cases.Any(c => c.Name == name && !c.Fires), Is.True, $"{name}: no case where it stays silent");
            }
        });
    }

    [TestCase(RulesFile)]
    [TestCase(RulesTestFile)]
    [TestCase("examples/kubernetes/prometheusrule.yaml")]
    public void Comments_name_only_files_in_the_repository(string file)
    {
        // A user reads the header to find the rest; spec/exporter.md and tencent-cloud-api.md were never shipped.
        var comments = File.ReadLines(PrometheusTools.RepoPath(file)).Where(l => l.TrimStart().StartsWith('#'));
        var named = comments.SelectMany(l => System.Text.RegularExpressions.Regex.Matches(l, @"[\w.-]+(?:/[\w.-]+)*\.(?:md|ya?ml|json|conf|service)\b|\b[\w-]+/[\w./-]+/")
            .Select(m => m.Value)).Distinct().ToList();

        Assert.That(named, Is.Not.Empty, "the pattern finds the names the comments give");
        Assert.That(named.Where(n => !File.Exists(PrometheusTools.RepoPath(n)) && !Directory.Exists(PrometheusTools.RepoPath(n))
                                      && !File.Exists(Path.Combine(Path.GetDirectoryName(PrometheusTools.RepoPath(file))!, n))), Is.Empty);
    }

    private static IEnumerable<YamlNode> Groups() =>
        YamlTree.Sequence(YamlTree.LoadMapping(PrometheusTools.RepoPath(RulesFile)), "groups").Children;

    private static IEnumerable<YamlNode> Alerts() =>
        Groups().SelectMany(g => YamlTree.Sequence(g, "rules").Children);

    private static YamlNode Alert(string name) =>
        Alerts().Single(a => YamlTree.Scalar(a, "alert") == name);
}
