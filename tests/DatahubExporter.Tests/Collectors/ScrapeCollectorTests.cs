using DatahubExporter.Collectors;
using DatahubExporter.Configuration;
using DatahubExporter.Exposition;
using DatahubExporter.Telemetry;
using DatahubExporter.TencentCloud;
using Microsoft.Extensions.Logging.Abstractions;

namespace DatahubExporter.Tests.Collectors;

public class ScrapeCollectorTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(10);

    private sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    /// <summary>A collector whose API is a delegate; renders like the task collector (status per item).</summary>
    private sealed class FakeCollector(ConfigHolder config, ScrapeMetrics metrics, TimeSpan ttl, TimeProvider time,
        Func<ApiTarget, CancellationToken, Task<IReadOnlyList<DatahubTask>>> fetch)
        : ScrapeCollector<DatahubTask>(config, metrics, ttl, NullLogger.Instance, time)
    {
        public int Fetches;

        public override string Name => "datahub_tasks";
        protected override string ErrorCountName => "datahub_task_error_count";
        protected override string ErrorCountHelp => "errors";

        protected override Task<IReadOnlyList<DatahubTask>> FetchAsync(ApiTarget target, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Fetches);
            return fetch(target, cancellationToken);
        }

        protected override void AddItemFamilies(IReadOnlyList<RegionOutcome<DatahubTask>> successful, List<MetricFamily> families) =>
            families.Add(new MetricFamily("datahub_task_status", "status", MetricType.Gauge,
                successful.SelectMany(r => r.Items.Select(t => new Sample("datahub_task_status",
                    [new Label("region", r.Region), new Label("TaskId", t.TaskId)], t.Status ?? double.NaN))).ToList()));
    }

    private static ConfigHolder Config(params string[] regions) => new(new ExporterConfig
    {
        Credentials = new Credentials("AKIDtest0000", "not-a-real-key", null),
        Regions = regions,
        SourcePath = "test.conf",
    }, null, TimeProvider.System);

    private static IReadOnlyList<DatahubTask> Tasks(string region, int n) =>
        Enumerable.Range(0, n).Select(i => new DatahubTask($"task-{region}-{i}", $"name {i}", 1, "SOURCE", "MYSQL", "KAFKA", "")).ToList();

    private static double Value(ScrapeAnswer answer, string family, params (string Name, string Value)[] labels) =>
        answer.Families.Single(f => f.Name == family).Samples
            .Single(s => labels.All(l => s.Labels.Contains(new Label(l.Name, l.Value)))).Value;

    private static int Count(ScrapeAnswer answer, string family, string region) =>
        answer.Families.Single(f => f.Name == family).Samples.Count(s => s.Labels.Contains(new Label("region", region)));

    [Test]
    public async Task Hundred_concurrent_scrapes_share_one_collection()
    {
        var release = new TaskCompletionSource();
        var metrics = new ScrapeMetrics();
        var collector = new FakeCollector(Config("ap-guangzhou", "ap-shanghai"), metrics, TimeSpan.Zero, TimeProvider.System, async (t, ct) =>
        {
            await release.Task.WaitAsync(ct);
            return Tasks(t.Region, 3);
        });

        var scrapes = Enumerable.Range(0, 100).Select(_ => collector.ScrapeAsync(Budget, CancellationToken.None)).ToList();
        release.SetResult();
        var answers = await Task.WhenAll(scrapes);

        Assert.That(collector.Fetches, Is.EqualTo(2), "one fetch per region for all 100 scrapes");
        Assert.That(metrics.Get("datahub_tasks", ScrapeMetrics.Collected), Is.EqualTo(1));
        Assert.That(metrics.Get("datahub_tasks", ScrapeMetrics.Joined), Is.EqualTo(99));
        Assert.That(answers.All(a => a.AllSucceeded && Count(a, "datahub_task_status", "ap-shanghai") == 3), Is.True);
        Assert.That(answers.All(a => ReferenceEquals(a, answers[0])), Is.True, "one shared answer, so the body is serialised once");
    }

    [Test]
    public void A_shared_answer_renders_each_format_once()
    {
        var answer = new ScrapeAnswer([], true);
        var renders = 0;
        byte[] Render(IReadOnlyList<MetricFamily> f, ExpositionFormat format, bool gzip)
        {
            Interlocked.Increment(ref renders);
            return [(byte)format, gzip ? (byte)1 : (byte)0];
        }

        Parallel.For(0, 50, i => answer.Payload(ExpositionFormat.PrometheusText004, i % 2 == 0, Render));
        Assert.That(renders, Is.EqualTo(2));
        Assert.That(answer.Payload(ExpositionFormat.PrometheusText004, true, Render), Is.EqualTo(new byte[] { 0, 1 }));
        Assert.That(answer.Payload(ExpositionFormat.OpenMetrics100, false, Render), Is.EqualTo(new byte[] { 1, 0 }));
        Assert.That(renders, Is.EqualTo(3));
    }

    [Test]
    public async Task Sequential_collections_get_answers_of_their_own()
    {
        var n = 0;
        var collector = new FakeCollector(Config("ap-guangzhou"), new ScrapeMetrics(), TimeSpan.Zero, TimeProvider.System,
            (t, _) => Task.FromResult(Tasks(t.Region, Interlocked.Increment(ref n))));
        var first = await collector.ScrapeAsync(Budget, CancellationToken.None);
        var second = await collector.ScrapeAsync(Budget, CancellationToken.None);
        Assert.That(ReferenceEquals(first, second), Is.False);
        Assert.That(Count(second, "datahub_task_status", "ap-guangzhou"), Is.EqualTo(2));
    }

    [Test]
    public async Task A_failing_region_counts_one_error_per_collection_and_hides_nothing_else()
    {
        var collector = new FakeCollector(Config("ap-guangzhou", "ap-shanghai"), new ScrapeMetrics(), TimeSpan.Zero, TimeProvider.System, (t, _) =>
            t.Region == "ap-shanghai"
                ? Task.FromException<IReadOnlyList<DatahubTask>>(new HttpRequestException("boom"))
                : Task.FromResult(Tasks(t.Region, 2)));

        ScrapeAnswer answer = null!;
        for (var i = 1; i <= 3; i++)
        {
            answer = await collector.ScrapeAsync(Budget, CancellationToken.None);
            Assert.That(Value(answer, "datahub_task_error_count", ("region", "ap-shanghai")), Is.EqualTo(i));
        }

        Assert.That(answer.AllSucceeded, Is.False);
        Assert.That(Value(answer, "datahub_task_error_count", ("region", "ap-guangzhou")), Is.EqualTo(0));
        Assert.That(Value(answer, "datahub_exporter_collect_success", ("region", "ap-shanghai")), Is.EqualTo(0));
        Assert.That(Value(answer, "datahub_exporter_collect_success", ("region", "ap-guangzhou")), Is.EqualTo(1));
        Assert.That(Count(answer, "datahub_task_status", "ap-shanghai"), Is.EqualTo(0));
        Assert.That(Count(answer, "datahub_task_status", "ap-guangzhou"), Is.EqualTo(2));
    }

    [Test]
    public async Task A_hanging_api_is_a_failed_collection_within_the_budget()
    {
        var collector = new FakeCollector(Config("ap-guangzhou"), new ScrapeMetrics(), TimeSpan.Zero, TimeProvider.System, async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return [];
        });

        var started = DateTime.UtcNow;
        var answer = await collector.ScrapeAsync(TimeSpan.FromMilliseconds(300), CancellationToken.None);
        Assert.That(DateTime.UtcNow - started, Is.LessThan(TimeSpan.FromSeconds(5)), "generous bound: the budget is 0.3 s");
        Assert.That(answer.AllSucceeded, Is.False);
        Assert.That(collector.ErrorCount("ap-guangzhou"), Is.EqualTo(1));
    }

    [Test]
    public async Task A_joiner_with_a_shorter_budget_answers_in_time_without_counting_an_error()
    {
        var release = new TaskCompletionSource();
        var collector = new FakeCollector(Config("ap-guangzhou"), new ScrapeMetrics(), TimeSpan.Zero, TimeProvider.System, async (t, ct) =>
        {
            await release.Task.WaitAsync(ct);
            return Tasks(t.Region, 1);
        });

        var first = collector.ScrapeAsync(Budget, CancellationToken.None);
        var joiner = await collector.ScrapeAsync(TimeSpan.FromMilliseconds(100), CancellationToken.None);
        Assert.That(joiner.AllSucceeded, Is.False);
        release.SetResult();
        Assert.That((await first).AllSucceeded, Is.True);
        Assert.That(collector.ErrorCount("ap-guangzhou"), Is.EqualTo(0), "the collection itself succeeded");
        Assert.That(collector.Fetches, Is.EqualTo(1));
    }

    [Test]
    public async Task Cache_serves_the_last_good_result_for_its_ttl_and_says_how_old()
    {
        var time = new ManualTime();
        var metrics = new ScrapeMetrics();
        var collector = new FakeCollector(Config("ap-guangzhou"), metrics, TimeSpan.FromSeconds(30), time, (t, _) => Task.FromResult(Tasks(t.Region, 1)));

        var first = await collector.ScrapeAsync(Budget, CancellationToken.None);
        Assert.That(Value(first, "datahub_exporter_cache_age_seconds"), Is.EqualTo(0));
        time.Now += TimeSpan.FromSeconds(20);
        var second = await collector.ScrapeAsync(Budget, CancellationToken.None);
        Assert.That(collector.Fetches, Is.EqualTo(1));
        Assert.That(Value(second, "datahub_exporter_cache_age_seconds"), Is.EqualTo(20));
        Assert.That(metrics.Get("datahub_tasks", ScrapeMetrics.Cached), Is.EqualTo(1));
        time.Now += TimeSpan.FromSeconds(11);
        await collector.ScrapeAsync(Budget, CancellationToken.None);
        Assert.That(collector.Fetches, Is.EqualTo(2), "expired after 31 s");
    }

    [Test]
    public async Task Cache_never_keeps_a_failed_collection()
    {
        var fail = true;
        var collector = new FakeCollector(Config("ap-guangzhou"), new ScrapeMetrics(), TimeSpan.FromMinutes(5), TimeProvider.System, (t, _) =>
            fail ? Task.FromException<IReadOnlyList<DatahubTask>>(new InvalidOperationException("x")) : Task.FromResult(Tasks(t.Region, 1)));

        Assert.That((await collector.ScrapeAsync(Budget, CancellationToken.None)).AllSucceeded, Is.False);
        fail = false;
        Assert.That((await collector.ScrapeAsync(Budget, CancellationToken.None)).AllSucceeded, Is.True);
        Assert.That(collector.Fetches, Is.EqualTo(2));
    }

    [Test]
    public async Task A_reload_changes_the_regions_of_the_next_collection()
    {
        var regions = new[] { "ap-guangzhou" };
        var holder = new ConfigHolder(new ExporterConfig
        {
            Credentials = new Credentials("AKIDtest0000", "k", null), Regions = regions, SourcePath = "x",
        }, () => new ExporterConfig { Credentials = new Credentials("AKIDtest0001", "k2", null), Regions = ["ap-beijing"], SourcePath = "x" }, TimeProvider.System);
        var seen = new List<string>();
        var collector = new FakeCollector(holder, new ScrapeMetrics(), TimeSpan.Zero, TimeProvider.System, (t, _) =>
        {
            lock (seen)
            {
                seen.Add($"{t.Region}/{t.Credentials.Current!.SecretId}");
            }

            return Task.FromResult(Tasks(t.Region, 1));
        });

        await collector.ScrapeAsync(Budget, CancellationToken.None);
        Assert.That(holder.Reload(), Is.Null);
        await collector.ScrapeAsync(Budget, CancellationToken.None);
        Assert.That(seen, Is.EqualTo(new[] { "ap-guangzhou/AKIDtest0000", "ap-beijing/AKIDtest0001" }));
    }

    [Test]
    public void A_failed_reload_keeps_the_old_configuration()
    {
        var holder = new ConfigHolder(new ExporterConfig { Credentials = new Credentials("AKIDtest0000", "k", null), Regions = ["ap-guangzhou"], SourcePath = "x" },
            () => throw new ConfigException("x.conf: [common] region: missing"), TimeProvider.System);
        Assert.That(holder.Reload(), Is.EqualTo("x.conf: [common] region: missing"));
        Assert.That(holder.LastReloadSuccessful, Is.False);
        Assert.That(holder.Current.Regions, Is.EqualTo(new[] { "ap-guangzhou" }));
    }
}
