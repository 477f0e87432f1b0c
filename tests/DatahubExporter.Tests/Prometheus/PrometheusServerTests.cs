using System.Net.Sockets;

namespace DatahubExporter.Tests.Prometheus;

/// <summary>Proves the <see cref="PrometheusServer"/> harness against the real binary: start, scrape, query, alert, stop.</summary>
public class PrometheusServerTests
{
    private static readonly TimeSpan TestBudget = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    // Scrapes itself every second so `up` appears within a few seconds.
    private const string SelfScrapeConfig = $"""
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
        scrape_configs:
          - job_name: prometheus
            static_configs:
              - targets: ['{PrometheusServer.SelfAddressPlaceholder}']
        """;

    [Test]
    public async Task Real_prometheus_starts_scrapes_itself_answers_queries_and_stops()
    {
        using var cts = new CancellationTokenSource(TestBudget);
        var ct = cts.Token;
        var rules = Path.Combine(TestContext.CurrentContext.TestDirectory, "testdata", "prometheus", "smoke.rules.yml");

        var prom = await PrometheusServer.StartAsync(SelfScrapeConfig, [rules], ct);
        int port;
        try
        {
            port = prom.Port;
            await prom.WaitForAsync(
                async t => (await prom.QueryAsync("up{job=\"prometheus\"} == 1", t)).Count == 1,
                Wait, "up{job=\"prometheus\"} == 1", ct);

            var up = await prom.QueryAsync("up", ct);
            Assert.That(up.Select(s => (s.Label("job"), s.Label("instance"), s.Value)),
                Is.EqualTo(new[] { ("prometheus", $"127.0.0.1:{port}", 1.0) }));
            var scalar = await prom.QueryAsync("scalar(vector(2.5))", ct);
            Assert.That(scalar.Single().Value, Is.EqualTo(2.5));

            var target = (await prom.TargetsAsync(ct)).Single();
            Assert.That((target.ScrapePool, target.Health, target.ScrapeUrl),
                Is.EqualTo(("prometheus", "up", $"http://127.0.0.1:{port}/metrics")));

            var firing = await prom.WaitForFiringAsync("SmokeAlwaysFiring", Wait, ct);
            Assert.That(firing.Single().Labels["severity"], Is.EqualTo("none"));
            Assert.That(firing.Single().Annotations["summary"], Is.EqualTo("always firing"));
            Assert.That((await prom.AlertsAsync(ct)).Select(a => a.Name), Has.None.EqualTo("SmokeNeverFiring"));
        }
        finally
        {
            await prom.DisposeAsync();
        }

        Assert.That(prom.HasExited, Is.True);
        Assert.That(Directory.Exists(prom.Directory), Is.False);
        using var client = new TcpClient();
        Assert.That(async () => await client.ConnectAsync("127.0.0.1", port, ct), Throws.InstanceOf<SocketException>());
    }

    [Test]
    public async Task Bad_query_reports_the_prometheus_error()
    {
        using var cts = new CancellationTokenSource(TestBudget);
        await using var prom = await PrometheusServer.StartAsync(SelfScrapeConfig, cancellationToken: cts.Token);

        Assert.That(async () => await prom.QueryAsync("sum(", cts.Token),
            Throws.InvalidOperationException.With.Message.Contains("parse error"));
    }

    [Test]
    public async Task Wait_gives_up_after_its_timeout_and_names_the_condition()
    {
        using var cts = new CancellationTokenSource(TestBudget);
        await using var prom = await PrometheusServer.StartAsync(SelfScrapeConfig, cancellationToken: cts.Token);

        Assert.That(
            async () => await prom.WaitForAsync(_ => Task.FromResult(false), TimeSpan.FromMilliseconds(500), "the impossible", cts.Token),
            Throws.InstanceOf<TimeoutException>().With.Message.Contains("the impossible"));
    }

    [Test]
    public void Invalid_config_fails_start_with_the_prometheus_log()
    {
        using var cts = new CancellationTokenSource(TestBudget);

        Assert.That(
            async () => await PrometheusServer.StartAsync("scrape_configs: [{job_name: x, bogus_key: 1}]", cancellationToken: cts.Token),
            Throws.InvalidOperationException.With.Message.Contains("bogus_key"));
    }

    [Test]
    public async Task Reload_picks_up_a_changed_config_and_refuses_a_broken_one()
    {
        using var cts = new CancellationTokenSource(TestBudget);
        await using var prom = await PrometheusServer.StartAsync(SelfScrapeConfig, cancellationToken: cts.Token);
        var configPath = Path.Combine(prom.Directory, "prometheus.yml");
        var config = await File.ReadAllTextAsync(configPath, cts.Token);

        await File.WriteAllTextAsync(configPath, config.Replace("job_name: prometheus", "job_name: renamed"), cts.Token);
        await prom.ReloadAsync(cts.Token);
        // Discovery applies the new targets asynchronously after the reload returns.
        await prom.WaitForAsync(
            async t => (await prom.TargetsAsync(t)).Select(x => x.ScrapePool).SequenceEqual(["renamed"]),
            Wait, "only the renamed job's target", cts.Token);

        await File.WriteAllTextAsync(configPath, "scrape_configs: [{job_name: x, bogus_key: 1}]", cts.Token);
        Assert.That(async () => await prom.ReloadAsync(cts.Token), Throws.InvalidOperationException.With.Message.Contains("bogus_key"));
    }

    [Test]
    public void Rule_files_in_both_places_are_refused()
    {
        Assert.That(
            async () => await PrometheusServer.StartAsync("rule_files: [a.yml]\n", ["b.yml"]),
            Throws.ArgumentException);
    }
}
