using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using CkafkaSimulator;
using YamlDotNet.RepresentationModel;

namespace DatahubExporter.Tests.Prometheus;

/// <summary>
/// The whole chain an operator runs: the simulator stands in for Tencent Cloud, the real exporter binary
/// scrapes it, and a real Prometheus — configured from examples/prometheus.yml with the shipped alert
/// rules — scrapes the exporter and evaluates the alerts. A status change in the simulator must end as
/// exactly one firing alert with the task's own labels, and go away again when the task recovers.
/// Only the intervals, the targets and the rules' <c>for:</c> durations are shortened for the test.
/// </summary>
public partial class AlertEndToEndTests : EndToEndFixture
{
    private const string ExampleConfig = "examples/prometheus.yml";
    private const string ShippedRules = "rules/datahub_exporter.rules.yml";
    private const string TaskJob = "datahub-exporter-datahub-task";
    private const string ResourceJob = "datahub-exporter-connect-resources";
    private const string MetricsJob = "datahub-exporter-metrics";
    private const string LagJob = "datahub-exporter-datahub-task-lag";
    private const string ShortFor = "2s";
    private const string TestInterval = "2s";

    // Below the interval, as Prometheus requires; the exporter answers half a second before it, and that
    // budget (1.4 s) must be at least a second, or the exporter refuses to start a collection for it.
    private const string TestScrapeTimeout = "1900ms";

    private const int TaskStatusDeleteFailed = 4;
    private const int ResourceStatusAbnormal = 7;
    private const int Running = 1;

    private static readonly TimeSpan PhaseTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan TestTimeout = TimeSpan.FromMinutes(4);

    private SimulatorServer _simulator = null!;
    private ExporterProcess _exporter = null!;
    private PrometheusServer _prometheus = null!;
    private TempDirectory _temp = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        var binary = PrometheusTools.PrometheusPath;
        Assert.That(File.Exists(binary), Is.True);
        var clock = Stopwatch.StartNew();
        using var cts = new CancellationTokenSource(TestTimeout);
        _temp = new TempDirectory("datahub-alerts-");

        // A few tasks and resources, all running; the first names are the hostile ones (quotes,
        // backslashes, newlines, CJK, emoji, a 2000-character name, an empty and a null name).
        _simulator = await SimulatorServer.StartAsync(new SimulatorOptions
        {
            Keys = new Dictionary<string, string> { [SecretId] = SecretKey },
            DataSet = SimulatorDataSet.Generate(tasks: 9, resources: 7, hostileNames: true, seed: 7, allRunning: true),
        }, cts.Token);
        var conf = WriteConfig(_temp.Path, _simulator.BaseAddress);
        _exporter = await ExporterProcess.StartServerAsync(["--conf", conf, "--web.listen-address=127.0.0.1:0"]);

        var rulesCopy = _temp.PathOf("datahub_exporter.rules.yml");
        await File.WriteAllTextAsync(rulesCopy, ShortenForDurations(await File.ReadAllTextAsync(PrometheusTools.RepoPath(ShippedRules))), cts.Token);
        var config = TestPrometheusConfig(
            await File.ReadAllTextAsync(PrometheusTools.RepoPath(ExampleConfig)), $"127.0.0.1:{_exporter.BaseAddress.Port}", rulesCopy);
        _prometheus = await PrometheusServer.StartAsync(config, cancellationToken: cts.Token);
        Report("start simulator, exporter and Prometheus", clock.Elapsed, TestContext.Progress);

        clock.Restart();
        await _prometheus.WaitForAsync(
            async ct =>
            {
                var up = await _prometheus.QueryAsync("up == 1", ct);
                return new[] { TaskJob, ResourceJob, MetricsJob }.All(job => up.Any(s => s.Label("job") == job));
            },
            PhaseTimeout, $"up == 1 for {TaskJob}, {ResourceJob} and {MetricsJob}", cts.Token);
        Report("all three jobs up", clock.Elapsed, TestContext.Progress);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_prometheus is not null)
        {
            await _prometheus.DisposeAsync();
        }

        string? exporterLog = null;
        if (_exporter is not null)
        {
            exporterLog = _exporter.Stderr;
            await _exporter.DisposeAsync();
        }

        if (_simulator is not null)
        {
            await _simulator.DisposeAsync();
        }

        _temp?.Dispose();

        if (exporterLog is not null)
        {
            AssertNoSecrets(exporterLog, "exporter log");
        }
    }

    [Test]
    public void Test_rules_differ_from_the_shipped_rules_only_in_their_for_durations()
    {
        var original = File.ReadAllText(PrometheusTools.RepoPath(ShippedRules));

        var copy = ShortenForDurations(original);

        var originalLines = original.Split('\n');
        var copyLines = copy.Split('\n');
        Assert.That(copyLines, Has.Length.EqualTo(originalLines.Length));
        var changed = 0;
        for (var i = 0; i < originalLines.Length; i++)
        {
            if (originalLines[i] == copyLines[i])
            {
                continue;
            }

            changed++;
            Assert.That(ForLine().Match(originalLines[i]).Groups["prefix"].Value, Is.Not.Empty, $"line {i + 1} changed but is not a for: line");
            Assert.That(copyLines[i], Is.EqualTo(ForLine().Match(originalLines[i]).Groups["prefix"].Value + ShortFor), $"line {i + 1}");
        }

        // Parsed, the copy is the original with every rule's `for` set to the short duration.
        var originalRules = RulesOf(original);
        var copyRules = RulesOf(copy);
        Assert.That(copyRules, Has.Count.EqualTo(originalRules.Count));
        Assert.That(changed, Is.EqualTo(originalRules.Count(r => r.Children.ContainsKey(new YamlScalarNode("for")))));
        Assert.That(copyRules.Select(r => YamlTree.Scalar(r, "for")), Is.All.EqualTo(ShortFor), "every rule of the shipped file has a for: worth shortening");
        foreach (var rule in originalRules.Concat(copyRules))
        {
            rule.Children.Remove(new YamlScalarNode("for"));
        }

        Assert.That(YamlTree.ToCanonicalJson(RulesRoot(copy, copyRules)), Is.EqualTo(YamlTree.ToCanonicalJson(RulesRoot(original, originalRules))));
    }

    [Test]
    public void Test_config_differs_from_the_example_only_in_targets_intervals_timeouts_and_rule_files()
    {
        var example = File.ReadAllText(PrometheusTools.RepoPath(ExampleConfig));

        var config = TestPrometheusConfig(example, "127.0.0.1:12345", "/tmp/rules.yml");

        var changed = LoadMapping(config);
        var original = LoadMapping(example);
        Assert.That(YamlTree.Scalar(YamlTree.Child(changed, "global"), "scrape_interval"), Is.EqualTo(TestInterval));
        Assert.That(YamlTree.Scalar(YamlTree.Child(changed, "global"), "scrape_timeout"), Is.EqualTo(TestScrapeTimeout));
        Assert.That(YamlTree.Scalar(YamlTree.Child(changed, "global"), "evaluation_interval"), Is.EqualTo(TestInterval));
        Assert.That(YamlTree.Sequence(changed, "rule_files").Children.Select(n => n.ToString()), Is.EqualTo(new[] { "/tmp/rules.yml" }));
        var jobs = YamlTree.Sequence(changed, "scrape_configs").Children;
        Assert.That(jobs.Select(j => YamlTree.Scalar(j, "job_name")), Is.EqualTo(new[] { TaskJob, ResourceJob, LagJob, MetricsJob }));
        foreach (var job in jobs)
        {
            Assert.That(YamlTree.Scalar(job, "scrape_interval"), Is.EqualTo(TestInterval));
            var targets = YamlTree.Sequence(job, "static_configs").Children.SelectMany(s => YamlTree.Sequence(s, "targets").Children);
            Assert.That(targets.Select(t => t.ToString()), Is.EqualTo(new[] { "127.0.0.1:12345" }));
        }

        // Everything else — job names, metrics_paths, honor_labels, the instance labels — is the example's.
        foreach (var root in new[] { changed, original })
        {
            root.Children.Remove(new YamlScalarNode("global"));
            root.Children.Remove(new YamlScalarNode("rule_files"));
            foreach (var job in YamlTree.Sequence(root, "scrape_configs").Children.Cast<YamlMappingNode>())
            {
                job.Children.Remove(new YamlScalarNode("scrape_interval"));
                job.Children.Remove(new YamlScalarNode("scrape_timeout"));
                foreach (var staticConfig in YamlTree.Sequence(job, "static_configs").Children.Cast<YamlMappingNode>())
                {
                    staticConfig.Children.Remove(new YamlScalarNode("targets"));
                }
            }
        }

        Assert.That(YamlTree.ToCanonicalJson(changed), Is.EqualTo(YamlTree.ToCanonicalJson(original)));
    }

    [Test]
    public async Task Series_reach_Prometheus_with_the_names_exactly_as_the_api_wrote_them()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        var clock = Stopwatch.StartNew();
        var expectedTasks = Regions.SelectMany(region => _simulator.State.Data(region).Tasks
            .Select(t => (Region: region, Id: t.TaskId, Name: t.TaskName ?? "", Status: (double)t.Status))).Order().ToList();
        var expectedResources = Regions.SelectMany(region => _simulator.State.Data(region).Resources
            .Select(r => (Region: region, Id: r.ResourceId, Name: r.ResourceName ?? "", Status: (double)r.Status))).Order().ToList();
        Assert.That(expectedTasks.Select(t => t.Name), Does.Contain("new\nline").And.Contain("quote\"inside").And.Contain(""));
        IReadOnlyList<PrometheusSample> tasks = [];
        IReadOnlyList<PrometheusSample> resources = [];

        // Bounded: a scrape that failed its collection would leave a region out for a second.
        await _prometheus.WaitForAsync(
            async ct =>
            {
                tasks = await _prometheus.QueryAsync("datahub_task_status", ct);
                resources = await _prometheus.QueryAsync("connect_resource_status", ct);
                return tasks.Count == expectedTasks.Count && resources.Count == expectedResources.Count;
            },
            PhaseTimeout, "every task and resource series present", cts.Token);
        Report("all series in Prometheus", clock.Elapsed);

        // Prometheus drops empty labels, so a missing TaskName reads as "", as it did on the wire.
        Assert.That(tasks.Select(s => (s.Label("region"), s.Label("TaskId"), s.Label("TaskName"), s.Value)).Order().ToList(), Is.EqualTo(expectedTasks));
        Assert.That(resources.Select(s => (s.Label("region"), s.Label("ResourceId"), s.Label("ResourceName"), s.Value)).Order().ToList(), Is.EqualTo(expectedResources));
        Assert.That(tasks.Select(s => (s.Label("job"), s.Label("instance"))).Distinct(), Is.EqualTo(new[] { (TaskJob, TaskJob) }));
        Assert.That(resources.Select(s => (s.Label("job"), s.Label("instance"))).Distinct(), Is.EqualTo(new[] { (ResourceJob, ResourceJob) }));
    }

    [Test]
    public async Task A_delete_failed_task_fires_its_alert_alone_and_resolves_when_it_runs_again()
    {
        const string region = "ap-guangzhou";
        var task = _simulator.State.Data(region).Tasks[0];
        Assert.That(task.TaskName, Is.EqualTo("quote\"inside"), "the hostile name under test");

        var firing = await BreakAndRepairAsync(
            alertName: "datahub_task_status",
            idLabel: "TaskId",
            id: task.TaskId,
            region: region,
            statusSeries: "datahub_task_status",
            // The API's reason travels with the failure (control characters and runs of spaces as the API may
            // send them) and is cleared when the task runs again.
            setStatus: status => _simulator.State.SetTaskStatus(task.TaskId, status, region,
                status == Running ? "" : "task failed at step sink:\n\tconnection   refused"),
            brokenStatus: TaskStatusDeleteFailed);

        Assert.That(firing.Labels["TaskName"], Is.EqualTo(task.TaskName));
        Assert.That(firing.Labels["job"], Is.EqualTo(TaskJob));
        Assert.That(firing.Annotations["summary"], Is.EqualTo($"CKafka Datahub task {task.TaskName} ({task.TaskId}) in {region} is not running"));
        Assert.That(firing.Annotations["description"], Does.Contain($"TaskId: {task.TaskId}\nTaskName: {task.TaskName}\n"));
        // Issue 10: the firing alert says why, from datahub_task_error_info, cleaned.
        Assert.That(firing.Annotations["description"], Does.EndWith("\nerror: task failed at step sink: connection refused"));
    }

    [Test]
    public async Task An_abnormal_connect_resource_fires_its_alert_alone_and_resolves_when_it_runs_again()
    {
        const string region = "ap-shanghai";
        var resource = _simulator.State.Data(region).Resources[5];
        Assert.That(resource.ResourceName, Is.EqualTo("emoji 🚀🔥 name"), "the hostile name under test");

        var firing = await BreakAndRepairAsync(
            alertName: "connect_resource_status",
            idLabel: "ResourceId",
            id: resource.ResourceId,
            region: region,
            statusSeries: "connect_resource_status",
            setStatus: status => _simulator.State.SetResourceStatus(resource.ResourceId, status, region),
            brokenStatus: ResourceStatusAbnormal);

        Assert.That(firing.Labels["ResourceName"], Is.EqualTo(resource.ResourceName));
        Assert.That(firing.Labels["job"], Is.EqualTo(ResourceJob));
        Assert.That(firing.Annotations["summary"], Is.EqualTo($"CKafka connect resource {resource.ResourceName} ({resource.ResourceId}) in {region} is not running"));
        // Without an ErrorMessage from the API the description is the original's, with no error line.
        Assert.That(firing.Annotations["description"], Does.Not.Contain("error:"));
    }

    /// <summary>
    /// Sets one item's status to <paramref name="brokenStatus"/>, waits until its alert fires (the only
    /// active instance of <paramref name="alertName"/>, and no other item alerting under any name), sets it
    /// back to running and waits until the alert is gone and Prometheus has the running status. Returns the
    /// firing alert for the caller's label checks. Each phase is timed and bounded.
    /// </summary>
    private async Task<PrometheusAlert> BreakAndRepairAsync(
        string alertName, string idLabel, string id, string region, string statusSeries, Func<long, bool> setStatus, long brokenStatus)
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        var ct = cts.Token;
        Assert.That(ActiveIdAlerts(await _prometheus.AlertsAsync(ct)), Is.Empty, "no item alerts while everything runs");

        var clock = Stopwatch.StartNew();
        Assert.That(setStatus(brokenStatus), Is.True);
        PrometheusAlert firing;
        try
        {
            await _prometheus.WaitForAsync(
                async t => (await _prometheus.QueryAsync($"{statusSeries}{{{idLabel}=\"{id}\",region=\"{region}\"}} == {brokenStatus}", t)).Count == 1,
                PhaseTimeout, $"{statusSeries} of {id} scraped as {brokenStatus}", ct);
            Report($"{alertName}: status {brokenStatus} scraped", clock.Elapsed);

            var instances = await _prometheus.WaitForFiringAsync(alertName, PhaseTimeout, ct);
            Report($"{alertName}: alert firing", clock.Elapsed);

            Assert.That(instances, Has.Count.EqualTo(1), string.Join("\n", instances.Select(a => string.Join(",", a.Labels))));
            firing = instances[0];
            Assert.That(firing.Labels[idLabel], Is.EqualTo(id));
            Assert.That(firing.Labels["region"], Is.EqualTo(region));
            Assert.That(firing.Labels["severity"], Is.EqualTo("critical"));
            Assert.That(double.Parse(firing.Value, NumberStyles.Float, CultureInfo.InvariantCulture), Is.EqualTo(brokenStatus));
            var others = ActiveIdAlerts(await _prometheus.AlertsAsync(ct))
                .Where(a => !(a.Name == alertName && a.Labels.GetValueOrDefault(idLabel) == id && a.Labels["region"] == region))
                .Select(a => $"{a.Name} {a.State} {string.Join(",", a.Labels)}")
                .ToList();
            Assert.That(others, Is.Empty, "no other item alerts");
        }
        finally
        {
            // Restore even on failure, so the other tests of the fixture start from all-running.
            setStatus(Running);
        }

        clock.Restart();
        await _prometheus.WaitForAsync(
            async t =>
            {
                var alerts = await _prometheus.AlertsAsync(t);
                var status = await _prometheus.QueryAsync($"{statusSeries}{{{idLabel}=\"{id}\",region=\"{region}\"}}", t);
                return status.Count == 1 && status[0].Value == Running && !alerts.Any(a => a.Name == alertName);
            },
            PhaseTimeout, $"{alertName} for {id} resolved", ct);
        Report($"{alertName}: alert resolved", clock.Elapsed);

        var failed = await _prometheus.QueryAsync("sum(datahub_task_error_count) + sum(connect_resource_error_count)", ct);
        TestContext.Out.WriteLine($"failed collections so far (informational): {failed.Single().Value}");
        return firing;
    }

    /// <summary>The shipped rules with every <c>for:</c> value replaced by <see cref="ShortFor"/>, byte for byte otherwise.</summary>
    internal static string ShortenForDurations(string rules) =>
        ForLine().Replace(rules, m => m.Groups["prefix"].Value + ShortFor);

    /// <summary>
    /// examples/prometheus.yml with test intervals and timeouts, every target replaced by <paramref name="target"/> and
    /// rule_files pointing at <paramref name="rulesPath"/>; job names, metrics paths and labels untouched.
    /// </summary>
    internal static string TestPrometheusConfig(string exampleYaml, string target, string rulesPath)
    {
        var root = LoadMapping(exampleYaml);
        var global = (YamlMappingNode)YamlTree.Child(root, "global");
        global.Children[new YamlScalarNode("scrape_interval")] = new YamlScalarNode(TestInterval);
        global.Children[new YamlScalarNode("scrape_timeout")] = new YamlScalarNode(TestScrapeTimeout);
        global.Children[new YamlScalarNode("evaluation_interval")] = new YamlScalarNode(TestInterval);
        root.Children[new YamlScalarNode("rule_files")] = new YamlSequenceNode(new YamlScalarNode(rulesPath));
        foreach (var job in YamlTree.Sequence(root, "scrape_configs").Children.Cast<YamlMappingNode>())
        {
            if (job.Children.ContainsKey(new YamlScalarNode("scrape_interval")))
            {
                job.Children[new YamlScalarNode("scrape_interval")] = new YamlScalarNode(TestInterval);
            }

            // The lag job's own (longer) timeout must not exceed the test interval.
            if (job.Children.ContainsKey(new YamlScalarNode("scrape_timeout")))
            {
                job.Children[new YamlScalarNode("scrape_timeout")] = new YamlScalarNode(TestScrapeTimeout);
            }

            foreach (var staticConfig in YamlTree.Sequence(job, "static_configs").Children.Cast<YamlMappingNode>())
            {
                staticConfig.Children[new YamlScalarNode("targets")] = new YamlSequenceNode(new YamlScalarNode(target));
            }
        }

        var writer = new StringWriter { NewLine = "\n" };
        new YamlStream(new YamlDocument(root)).Save(writer, assignAnchors: false);
        return writer.ToString();
    }

    private static YamlMappingNode LoadMapping(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        Assert.That(stream.Documents, Has.Count.EqualTo(1));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static List<YamlMappingNode> RulesOf(string rulesYaml) =>
        YamlTree.Sequence(LoadMapping(rulesYaml), "groups").Children
            .SelectMany(g => YamlTree.Sequence(g, "rules").Children)
            .Cast<YamlMappingNode>()
            .ToList();

    // RulesOf loads a fresh tree each time; rebuild the document around the edited rule nodes.
    private static YamlMappingNode RulesRoot(string rulesYaml, List<YamlMappingNode> editedRules)
    {
        var root = LoadMapping(rulesYaml);
        var index = 0;
        foreach (var group in YamlTree.Sequence(root, "groups").Children.Cast<YamlMappingNode>())
        {
            var rules = YamlTree.Sequence(group, "rules");
            for (var i = 0; i < rules.Children.Count; i++)
            {
                rules.Children[i] = editedRules[index++];
            }
        }

        return root;
    }

    /// <summary>Active alerts about one task or resource, whatever their name.</summary>
    private static List<PrometheusAlert> ActiveIdAlerts(IEnumerable<PrometheusAlert> alerts) =>
        alerts.Where(a => a.Labels.ContainsKey("TaskId") || a.Labels.ContainsKey("ResourceId")).ToList();

    // TestContext.Out of a one-time set-up is not shown with a test's output, so set-up reports use Progress.
    private static void Report(string phase, TimeSpan elapsed, TextWriter? to = null) =>
        (to ?? TestContext.Out).WriteLine($"phase '{phase}': {elapsed.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture)} s");

    [GeneratedRegex(@"^(?<prefix>[ \t]+for:[ \t]*)\S+[ \t]*$", RegexOptions.Multiline)]
    private static partial Regex ForLine();
}
