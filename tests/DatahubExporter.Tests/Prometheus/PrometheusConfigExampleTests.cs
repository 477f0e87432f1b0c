namespace DatahubExporter.Tests.Prometheus;

/// <summary>examples/prometheus.yml: valid for promtool, and the original tool's two scrape jobs unchanged.</summary>
public class PrometheusConfigExampleTests
{
    private const string ConfigFile = "examples/prometheus.yml";

    [Test]
    public async Task Promtool_check_config_passes_including_the_rules_it_loads()
    {
        var result = await PrometheusTools.RunPromtoolAsync(["check", "config", PrometheusTools.RepoPath(ConfigFile)]);

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Output);
        Assert.That(result.Output, Does.Contain("SUCCESS: 1 rule files found"));
        Assert.That(result.Output, Does.Contain("datahub_exporter.rules.yml"));
    }

    [TestCase("datahub-exporter-datahub-task", "/api/v1/ckafka/datahub_tasks/metrics")]
    [TestCase("datahub-exporter-connect-resources", "/api/v1/ckafka/connect_resources/metrics")]
    public void Original_scrape_job_is_kept(string jobName, string metricsPath)
    {
        var job = YamlTree.Sequence(YamlTree.LoadMapping(PrometheusTools.RepoPath(ConfigFile)), "scrape_configs").Children
            .Single(j => YamlTree.Scalar(j, "job_name") == jobName);
        var staticConfig = YamlTree.Sequence(job, "static_configs").Children.Single();

        Assert.That(YamlTree.Scalar(job, "metrics_path"), Is.EqualTo(metricsPath));
        Assert.That(YamlTree.Scalar(job, "honor_labels"), Is.EqualTo("true"));
        Assert.That(YamlTree.Scalar(job, "scrape_interval"), Is.EqualTo("1m"));
        Assert.That(YamlTree.Sequence(staticConfig, "targets").Children.Select(t => t.ToString()), Is.EqualTo(new[] { "localhost:48080" }));
        // The original attached a fixed instance label per job; routes may match on it.
        Assert.That(YamlTree.Scalar(YamlTree.Child(staticConfig, "labels"), "instance"), Is.EqualTo(jobName));
    }

    [Test]
    public async Task Promtool_check_config_rejects_the_original_readme_indentation()
    {
        // The original README put `labels:` inside the targets list; promtool must catch such a file, or
        // the check above proves nothing.
        using var temp = new TempDirectory("promcfg-");
        var dir = temp.Path;
        var path = Path.Combine(dir, "prometheus.yml");
        await File.WriteAllTextAsync(path, """
            scrape_configs:
              - job_name: datahub-exporter-connect-resources
                metrics_path: /api/v1/ckafka/connect_resources/metrics
                static_configs:
                - targets:
                - localhost:48080
                labels:
                    instance: datahub-exporter-connect-resources
            """);

        var result = await PrometheusTools.RunPromtoolAsync(["check", "config", path]);

        Assert.That(result.ExitCode, Is.Not.EqualTo(0), result.Output);
    }
}
