using CkafkaSimulator;

namespace DatahubExporter.Tests.Prometheus;

/// <summary>
/// examples/prometheus-sharded.yml as two real Prometheus servers (shard 0 and shard 1) against one exporter with
/// four accounts (exporter.md "Accounts and targets", scaling out): together they scrape every (account, region)
/// target exactly once, and each target's series appear in exactly one of them. Only the intervals, the
/// exporter's address and the shard number are changed for the test.
/// </summary>
public class ShardedPrometheusTests : EndToEndFixture
{
    private const string ExampleConfig = "examples/prometheus-sharded.yml";
    private const string TaskJob = "datahub-exporter-datahub-task";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Test]
    public async Task Promtool_check_config_passes()
    {
        var result = await PrometheusTools.RunPromtoolAsync(["check", "config", PrometheusTools.RepoPath(ExampleConfig)]);

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Output);
    }

    [Test]
    public async Task Two_shards_scrape_every_target_exactly_once()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        using var temp = new TempDirectory("sharded-");
        await using var simulator = await SimulatorServer.StartAsync(new SimulatorOptions
        {
            Keys = new Dictionary<string, string> { [SecretId] = SecretKey },
            DataSet = SimulatorDataSet.Generate(tasks: 6, resources: 3, hostileNames: false, allRunning: true),
        }, cts.Token);
        // [common]'s key, region and endpoint serve every account; four accounts, five (account, region) targets.
        var conf = WriteConfig(temp.Path, simulator.BaseAddress);
        await File.AppendAllTextAsync(conf, $"""

            [account.prod]
            region = ap-guangzhou, ap-shanghai

            [account.staging]
            region = ap-guangzhou

            [account.analytics]
            region = ap-guangzhou

            [account.payments]
            region = ap-shanghai

            """, cts.Token);
        await using var exporter = await ExporterProcess.StartServerAsync(["--conf", conf, "--web.listen-address=127.0.0.1:0"]);

        var example = await File.ReadAllTextAsync(PrometheusTools.RepoPath(ExampleConfig), cts.Token);
        string Shard(int shard)
        {
            var yaml = example;
            foreach (var (from, to) in new[]
                     {
                         ("scrape_interval: 1m", "scrape_interval: 2s"),
                         ("scrape_timeout: 30s", "scrape_timeout: 1900ms"),
                         ("replacement: localhost:48080", $"replacement: {exporter.BaseAddress.Authority}"),
                         ("regex: \"0\" # this server's shard", $"regex: \"{shard}\" # this server's shard"),
                         ("shard: \"0\"", $"shard: \"{shard}\""),
                     })
            {
                Assert.That(yaml, Does.Contain(from), "the example still has what the test changes");
                yaml = yaml.Replace(from, to, StringComparison.Ordinal);
            }

            return yaml;
        }

        await using var shard0 = await PrometheusServer.StartAsync(Shard(0), cancellationToken: cts.Token);
        await using var shard1 = await PrometheusServer.StartAsync(Shard(1), cancellationToken: cts.Token);
        (string Account, string Region)[] all =
            [("analytics", "ap-guangzhou"), ("payments", "ap-shanghai"), ("prod", "ap-guangzhou"), ("prod", "ap-shanghai"), ("staging", "ap-guangzhou")];

        async Task<List<(string, string)>> TargetsAsync(PrometheusServer prometheus, CancellationToken token, bool up = false) =>
            [.. (await prometheus.TargetsAsync(token)).Where(t => t.ScrapePool == TaskJob && (!up || t.Health == "up"))
                .Select(t => new Uri(t.ScrapeUrl).Query).Select(q => (Param(q, "account"), Param(q, "region")))];

        async Task<List<(string, string)>> SeriesAsync(PrometheusServer prometheus, CancellationToken token) =>
            [.. (await prometheus.QueryAsync("count by (account, region) (datahub_task_status)", token)).Select(s => (s.Label("account"), s.Label("region")))];

        foreach (var prometheus in new[] { shard0, shard1 })
        {
            await prometheus.WaitForAsync(async t => (await TargetsAsync(prometheus, t)) is { Count: > 0 } targets
                                                     && (await TargetsAsync(prometheus, t, up: true)).Count == targets.Count
                                                     && (await SeriesAsync(prometheus, t)).Count == targets.Count,
                Timeout, "every target of the shard up with its series", cts.Token);
        }

        var targets0 = await TargetsAsync(shard0, cts.Token);
        var targets1 = await TargetsAsync(shard1, cts.Token);
        Assert.That(targets0.Concat(targets1).Order(), Is.EqualTo(all), "together the shards scrape every target exactly once");
        Assert.That(targets0, Is.Not.Empty.And.Unique);
        Assert.That(targets1, Is.Not.Empty.And.Unique);
        var series0 = await SeriesAsync(shard0, cts.Token);
        var series1 = await SeriesAsync(shard1, cts.Token);
        Assert.That(series0.Order(), Is.EqualTo(targets0.Order()), "shard 0 holds the series of its own targets only");
        Assert.That(series1.Order(), Is.EqualTo(targets1.Order()), "shard 1 holds the series of its own targets only");
        Assert.That(series0.Intersect(series1), Is.Empty);
    }

    private static string Param(string query, string name) =>
        query.TrimStart('?').Split('&').Select(p => p.Split('=', 2)).Where(p => p[0] == name).Select(p => Uri.UnescapeDataString(p[1])).Single();
}
