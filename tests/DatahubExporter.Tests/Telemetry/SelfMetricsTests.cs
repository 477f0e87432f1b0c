using DatahubExporter.Configuration;
using DatahubExporter.Exposition;
using DatahubExporter.Telemetry;
using DatahubExporter.TencentCloud;
using DatahubExporter.TencentCloud.CredentialSources;

namespace DatahubExporter.Tests.Telemetry;

/// <summary>The registry of <c>/metrics</c>: its counter and gauge types, label handling, and the order it writes.</summary>
public sealed class SelfMetricsTests
{
    private static string Text(IEnumerable<MetricFamily> families)
    {
        using var buffer = new MemoryStream();
        ExpositionWriter.Write(buffer, families, ExpositionFormat.PrometheusText004);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    [Test]
    public void A_counter_only_goes_up()
    {
        var counter = new SelfCounter("x_total", "X.", "kind");

        counter.Increment(new("a"));
        counter.Add(new("a"), 2.5);
        counter.Add(new("a"), -10);
        counter.Add(new("a"), double.NaN);
        counter.Add(new("a"), 0);

        Assert.That(counter.Get(new("a")), Is.EqualTo(3.5));
        Assert.That(counter.Get(new("b")), Is.EqualTo(0), "an unknown series reads 0");
        Assert.That(counter.Samples().Select(s => s.Labels.Single().Value), Is.EqualTo(new[] { "a" }), "reading makes no series");
    }

    [Test]
    public void Concurrent_increments_are_all_counted()
    {
        var counter = new SelfCounter("x_total", "X.", "kind");
        const int Threads = 8;
        const int PerThread = 20_000;

        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t =>
        {
            for (var i = 0; i < PerThread; i++)
            {
                counter.Increment(new(i % 2 == 0 ? "even" : "odd"));
                counter.Add(new("seconds"), 0.5);
            }
        });

        Assert.That(counter.Get(new("even")) + counter.Get(new("odd")), Is.EqualTo(Threads * PerThread));
        Assert.That(counter.Get(new("seconds")), Is.EqualTo(Threads * PerThread * 0.5));
    }

    [Test]
    public void A_scrape_during_increments_never_sees_a_counter_go_down()
    {
        var counter = new SelfCounter("x_total", "X.");
        counter.Touch(default);
        var last = 0.0;
        var decreased = false;
        var writer = Task.Run(() =>
        {
            for (var i = 0; i < 200_000; i++)
            {
                counter.Increment(default);
            }
        });

        for (var reads = 0; reads < 1_000_000 && !writer.IsCompleted; reads++)
        {
            var now = counter.Samples().Single().Value;
            decreased |= now < last;
            last = now;
        }

        writer.Wait();
        Assert.That(decreased, Is.False);
        Assert.That(counter.Samples().Single().Value, Is.EqualTo(200_000));
    }

    [Test]
    public void Series_are_written_sorted_by_label_values_and_a_null_value_leaves_its_label_out()
    {
        var counter = new SelfCounter("api_total", "Calls.", "account", "action", "code");
        counter.Increment(new("prod", "B", "Success"));
        counter.Increment(new(null, "B", "Success"));
        counter.Increment(new("prod", "A", "Timeout"));
        counter.Increment(new(null, "A", "Success"));
        counter.Touch(new("dev", "A", "Success"));

        Assert.That(Text([counter.Collect()]), Is.EqualTo("""
            # HELP api_total Calls.
            # TYPE api_total counter
            api_total{action="A",code="Success"} 1
            api_total{action="B",code="Success"} 1
            api_total{account="dev",action="A",code="Success"} 0
            api_total{account="prod",action="A",code="Timeout"} 1
            api_total{account="prod",action="B",code="Success"} 1

            """));
    }

    [Test]
    public void More_than_four_labels_are_refused_when_the_family_is_made()
    {
        Assert.That(() => new SelfCounter("x_total", "X.", "a", "b", "c", "d", "e"), Throws.ArgumentException);
    }

    [Test]
    public void A_gauge_keeps_the_last_value_set()
    {
        var metrics = new SelfMetrics();
        var gauge = metrics.Gauge("g", "G.", "file");
        gauge.Set(new("b"), 1);
        gauge.Set(new("a"), 2);
        gauge.Set(new("b"), 0.5);

        Assert.That(Text(metrics.Collect()), Is.EqualTo("# HELP g G.\n# TYPE g gauge\ng{file=\"a\"} 2\ng{file=\"b\"} 0.5\n"));
    }

    [Test]
    public void A_callback_gauge_reads_current_state_on_each_collection_in_its_own_order()
    {
        var state = new List<(string, double)> { ("z", 1) };
        var metrics = new SelfMetrics();
        var gauge = metrics.CallbackGauge("limit", "Limit.", ["host"], () => state.Select(s => (new LabelValues(s.Item1), s.Item2)));

        var first = Text(metrics.Collect());
        state.Add(("a", 2));
        var second = Text(metrics.Collect());

        Assert.That(first, Is.EqualTo("# HELP limit Limit.\n# TYPE limit gauge\nlimit{host=\"z\"} 1\n"));
        Assert.That(second, Is.EqualTo("# HELP limit Limit.\n# TYPE limit gauge\nlimit{host=\"z\"} 1\nlimit{host=\"a\"} 2\n"));
        Assert.That(() => gauge.Set(new("a"), 1), Throws.InvalidOperationException);
    }

    [Test]
    public void Families_are_written_in_registration_order_and_empty_ones_not_at_all()
    {
        var metrics = new SelfMetrics();
        metrics.Counter("b_total", "B.").Increment(default);
        metrics.Counter("unused_total", "Nothing counted yet.", "kind");
        metrics.Gauge("a", "A.").Set(default, 1);
        metrics.Callback("h", "H.", MetricType.Histogram, () => [new Sample("h_bucket", [new Label("le", "+Inf")], 1), new Sample("h_sum", [], 0.5),
            new Sample("h_count", [], 1)]);
        metrics.Source("more", () => [new MetricFamily("c", "C.", MetricType.Gauge, [new Sample("c", [], 3)])]);

        Assert.That(metrics.Collect().Select(f => f.Name), Is.EqualTo(new[] { "b_total", "unused_total", "a", "h", "c" }));
        Assert.That(Text(metrics.Collect()), Is.EqualTo("""
            # HELP b_total B.
            # TYPE b_total counter
            b_total 1
            # HELP a A.
            # TYPE a gauge
            a 1
            # HELP h H.
            # TYPE h histogram
            h_bucket{le="+Inf"} 1
            h_sum 0.5
            h_count 1
            # HELP c C.
            # TYPE c gauge
            c 3

            """));
    }

    [Test]
    public void A_name_is_registered_once()
    {
        var metrics = new SelfMetrics();
        metrics.Counter("x_total", "X.");

        Assert.That(() => metrics.Gauge("x_total", "Again."), Throws.ArgumentException);
        Assert.That(metrics["x_total"].Help, Is.EqualTo("X."));
    }

    [Test]
    public void The_exporter_writes_every_family_through_its_registry()
    {
        var config = new ConfigHolder(new ExporterConfig
        {
            Credentials = new Credentials("AKIDregistry00001", "registry-key", null),
            Regions = ["ap-guangzhou"],
            SourcePath = "registry.conf",
        }, TimeProvider.System);
        using var services = new ExporterServices(new ExporterOptions(), config,
            Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, TimeProvider.System, new HttpClient(new FakeHandler((_, _) => FakeHandler.Ok())));

        var families = services.ExporterFamilies();

        Assert.That(services.SelfMetrics, Is.SameAs(services.SelfMetrics), "built once");
        Assert.That(families.Select(f => f.Name), Is.Unique);
        Assert.That(families.Select(f => f.Name).Take(3), Is.EqualTo(new[]
        {
            "datahub_exporter_build_info", "datahub_exporter_config_last_reload_successful", "datahub_exporter_config_last_reload_success_timestamp_seconds",
        }));
        Assert.That(families.Select(f => f.Name), Does.Contain("datahub_exporter_scrapes_total").And.Contain("process_cpu_seconds_total"));
    }

    [Test]
    public void Rate_limit_series_carry_account_action_and_host_as_labels_of_their_own()
    {
        var metrics = new SelfMetrics();
        var rates = new[] { RateLimit.FromLimiterKey("DescribeDatahubTasks", "prod/ckafka.tencentcloudapi.com", 20),
            RateLimit.FromLimiterKey("DescribeDatahubTasks", "ckafka.tencentcloudapi.com", 10) };
        metrics.CallbackGauge("datahub_exporter_api_rate_limit", "Limit.", ["account", "action", "host"],
            () => rates.Select(r => (new LabelValues(r.Account, r.Action, r.Host), r.Rate)));

        Assert.That(rates[0], Is.EqualTo(new RateLimit("prod", "DescribeDatahubTasks", "ckafka.tencentcloudapi.com", 20)));
        Assert.That(Text(metrics.Collect()), Does.Contain(
            "datahub_exporter_api_rate_limit{account=\"prod\",action=\"DescribeDatahubTasks\",host=\"ckafka.tencentcloudapi.com\"} 20\n" +
            "datahub_exporter_api_rate_limit{action=\"DescribeDatahubTasks\",host=\"ckafka.tencentcloudapi.com\"} 10\n"));
    }

    [Test]
    public async Task Credential_families_show_each_accounts_expiry_and_the_shared_refresh_counters()
    {
        var time = new TimerRecordingTime(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero));
        using var role = new RefreshingCredentialProvider(new Tests.TencentCloud.CredentialSources.ScriptedFetcher(time), time,
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, new CredentialMetrics(), null);
        await role.StartAsync(CancellationToken.None);
        ExporterConfig Account(string name, CredentialProvider credentials) =>
            new() { Account = name, Credentials = credentials, Regions = ["ap-guangzhou"], SourcePath = "registry.conf" };
        var single = new ConfigHolder(new ExporterConfig { Credentials = role, Regions = ["ap-guangzhou"], SourcePath = "registry.conf" }, time);
        var accounts = new ConfigHolder(new ExporterConfig
        {
            Credentials = new Credentials("AKIDregistry00002", "registry-key-2", null),
            Regions = [],
            SourcePath = "registry.conf",
            AccountSections = [Account("dev", new Credentials("AKIDregistry00003", "registry-key-3", null)), Account("prod", role)],
        }, time);

        string CredentialText(ConfigHolder config)
        {
            using var services = new ExporterServices(new ExporterOptions(), config,
                Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, time, new HttpClient(new FakeHandler((_, _) => FakeHandler.Ok())));
            return Text(services.ExporterFamilies().Where(f => f.Name.StartsWith("datahub_exporter_credentials_", StringComparison.Ordinal)));
        }

        const string Refreshes = """
            # HELP datahub_exporter_credentials_refresh_total Fetches of temporary credentials from their source (CVM metadata or STS) by source and result (success, failure).
            # TYPE datahub_exporter_credentials_refresh_total counter
            datahub_exporter_credentials_refresh_total{source="cvm_role",result="failure"} 0
            datahub_exporter_credentials_refresh_total{source="cvm_role",result="success"} 1

            """;
        const string Help = """
            # HELP datahub_exporter_credentials_expiry_timestamp_seconds When the temporary credentials in use expire, as Unix seconds, by source (oidc, cvm_role, assume_role) and, with account sections, account. Absent for keys that do not expire.
            # TYPE datahub_exporter_credentials_expiry_timestamp_seconds gauge

            """;
        Assert.That(CredentialText(single), Is.EqualTo(Help + "datahub_exporter_credentials_expiry_timestamp_seconds{source=\"cvm_role\"} 1772353800\n" + Refreshes));
        Assert.That(CredentialText(accounts),
            Is.EqualTo(Help + "datahub_exporter_credentials_expiry_timestamp_seconds{account=\"prod\",source=\"cvm_role\"} 1772353800\n" + Refreshes));
    }

    [Test]
    public void Static_keys_only_give_no_credential_family()
    {
        var config = new ConfigHolder(new ExporterConfig
        {
            Credentials = new Credentials("AKIDregistry00004", "registry-key-4", null),
            Regions = ["ap-guangzhou"],
            SourcePath = "registry.conf",
        }, TimeProvider.System);
        using var services = new ExporterServices(new ExporterOptions(), config,
            Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, TimeProvider.System, new HttpClient(new FakeHandler((_, _) => FakeHandler.Ok())));

        Assert.That(Text(services.ExporterFamilies()), Does.Not.Contain("datahub_exporter_credentials_"));
    }
}
