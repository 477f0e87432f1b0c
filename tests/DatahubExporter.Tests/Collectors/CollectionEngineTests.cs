using System.Text;
using DatahubExporter.Collectors;
using DatahubExporter.Configuration;
using DatahubExporter.Exposition;
using DatahubExporter.Status;
using DatahubExporter.Telemetry;
using DatahubExporter.TencentCloud;
using Microsoft.Extensions.Logging.Abstractions;

namespace DatahubExporter.Tests.Collectors;

/// <summary>The engine's single-flight, cache, error counts and isolation rules, against a fake API.</summary>
public class CollectionEngineTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(10);
    private static readonly ScrapePath Tasks = DatahubTasksPath.Path;

    /// <summary>An engine over a fake API: <paramref name="answer"/> gets the request (region header) and the
    /// request's token and returns the JSON of <c>Result</c> (or throws).</summary>
    private sealed class Rig
    {
        public Rig(ConfigHolder config, Func<string, CancellationToken, Task<string>> answer, TimeSpan? ttl = null, TimeProvider? time = null,
            TimeSpan? maxTimeout = null)
        {
            Time = time ?? TimeProvider.System;
            Handler = new FakeHandler(async (_, r, ct) =>
            {
                var result = await answer(r.Header("X-TC-Region")!, ct);
                return result.StartsWith("ERROR ", StringComparison.Ordinal)
                    ? FakeHandler.ApiError(result[6..])
                    : FakeHandler.Ok("\"Result\":" + result + ",\"RequestId\":\"req-1\"");
            });
            var api = new TencentCloudClient(new HttpClient(Handler), new TencentCloudClientOptions { RateLimitPerSecond = 0, MaxAttempts = 1 },
                new RecordingObserver(), Time);
            Engine = new CollectionEngine(new CkafkaClient(api), config, Metrics,
                new EngineOptions { CacheTtl = ttl ?? TimeSpan.Zero, MaxTimeout = maxTimeout ?? TimeSpan.FromSeconds(120) },
                [DatahubTasksPath.Path, ConnectResourcesPath.Path], NullLogger.Instance, Time, Board);
        }

        public StatusBoard Board { get; } = new(NullLogger.Instance);

        public TimeProvider Time { get; }

        public FakeHandler Handler { get; }

        public ScrapeMetrics Metrics { get; } = new();

        public CollectionEngine Engine { get; }

        public Task<ScrapeAnswer> Scrape(TimeSpan budget, CancellationToken aborted = default) => Engine.ScrapeAsync(Tasks, budget, aborted);
    }

    private static ConfigHolder Config(params string[] regions) => new(new ExporterConfig
    {
        Credentials = new Credentials("AKIDtest0000", "not-a-real-key", null),
        Regions = regions,
        Endpoint = new Uri("https://ckafka.example/"),
        SourcePath = "test.conf",
    }, TimeProvider.System);

    private static string TaskList(string region, int n, Func<int, string>? name = null) =>
        $"{{\"TotalCount\":{n},\"TaskList\":[" + string.Join(",", Enumerable.Range(0, n).Select(i =>
            $"{{\"TaskId\":\"task-{region}-{i}\",\"TaskName\":\"{name?.Invoke(i) ?? "name " + i}\",\"Status\":1}}")) + "]}";

    private static double Value(ScrapeAnswer answer, string family, params (string Name, string Value)[] labels) =>
        answer.Families.Single(f => f.Name == family).Samples
            .Single(s => labels.All(l => s.Labels.Contains(new Label(l.Name, l.Value)))).Value;

    private static int Count(ScrapeAnswer answer, string family, string region) =>
        answer.Families.Single(f => f.Name == family).Samples.Count(s => s.Labels.Contains(new Label("region", region)));

    private static async Task Hang(CancellationToken ct) => await Task.Delay(Timeout.Infinite, ct);

    [Test]
    public async Task Hundred_concurrent_scrapes_share_one_collection()
    {
        var release = new TaskCompletionSource();
        var rig = new Rig(Config("ap-guangzhou", "ap-shanghai"), async (region, ct) =>
        {
            await release.Task.WaitAsync(ct);
            return TaskList(region, 3);
        });

        var scrapes = Enumerable.Range(0, 100).Select(_ => rig.Scrape(Budget)).ToList();
        release.SetResult();
        var answers = await Task.WhenAll(scrapes);

        Assert.That(rig.Handler.Count, Is.EqualTo(2), "one page per region for all 100 scrapes");
        Assert.That(rig.Metrics.Get("datahub_tasks", ScrapeMetrics.Collected), Is.EqualTo(1));
        Assert.That(rig.Metrics.Get("datahub_tasks", ScrapeMetrics.Joined), Is.EqualTo(99));
        Assert.That(answers.All(a => a.AllSucceeded && Count(a, "datahub_task_status", "ap-shanghai") == 3), Is.True);
        Assert.That(answers.All(a => ReferenceEquals(a, answers[0])), Is.True, "one shared answer, so the body is serialised once");
        Assert.That(answers[0].Body.Payload(ExpositionFormat.PrometheusText004, true)
            .Equals(answers[99].Body.Payload(ExpositionFormat.PrometheusText004, true)), Is.True, "the same rendered bytes");
    }

    [Test]
    public async Task A_secret_quoted_by_a_task_name_or_error_message_is_masked_in_the_exposition()
    {
        // Issue 16 item 5: the configured key came out verbatim in datahub_task_error_info.
        const string key = "ScrubTestSecretKey0123456789abcd";
        const string id = "AKIDscrubtest00000000000000000001";
        var config = new ConfigHolder(new ExporterConfig
        {
            Credentials = new Credentials(id, key, null),
            Regions = ["ap-guangzhou"],
            Endpoint = new Uri("https://ckafka.example/"),
            SourcePath = "test.conf",
        }, TimeProvider.System);
        var rig = new Rig(config, (_, _) => Task.FromResult(
            $"{{\"TotalCount\":2,\"TaskList\":[{{\"TaskId\":\"t0\",\"TaskName\":\"copy-{key}\",\"Status\":4,\"ErrorMessage\":\"auth failed for {id} with key {key}\"}}," +
            "{\"TaskId\":\"t1\",\"TaskName\":\"plain\",\"Status\":1}]}"));

        var answer = await rig.Scrape(Budget);
        var text = Encoding.UTF8.GetString(answer.Body.Payload(ExpositionFormat.PrometheusText004, false).Span);

        Assert.That(text, Does.Not.Contain(key));
        Assert.That(text, Does.Not.Contain(id));
        Assert.That(text, Does.Contain("TaskName=\"copy-****\""));
        Assert.That(text, Does.Contain("TaskName=\"plain\""));
        Assert.That(answer.Families.SelectMany(f => f.Samples).SelectMany(s => s.Labels).Select(l => l.Value), Has.None.Contains(key));
    }

    [Test]
    public async Task Sequential_collections_get_answers_of_their_own()
    {
        var n = 0;
        var rig = new Rig(Config("ap-guangzhou"), (region, _) => Task.FromResult(TaskList(region, Interlocked.Increment(ref n))));
        var first = await rig.Scrape(Budget);
        var second = await rig.Scrape(Budget);
        Assert.That(ReferenceEquals(first, second), Is.False);
        Assert.That(Count(second, "datahub_task_status", "ap-guangzhou"), Is.EqualTo(2));
    }

    [Test]
    public async Task A_failing_region_counts_one_error_per_collection_and_hides_nothing_else()
    {
        var rig = new Rig(Config("ap-guangzhou", "ap-shanghai"), (region, _) =>
            Task.FromResult(region == "ap-shanghai" ? "ERROR InternalError" : TaskList(region, 2)));

        ScrapeAnswer answer = null!;
        for (var i = 1; i <= 3; i++)
        {
            answer = await rig.Scrape(Budget);
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
    public async Task The_status_board_gets_each_regions_finished_collection_failures_included()
    {
        var rig = new Rig(Config("ap-guangzhou", "ap-shanghai"), (region, _) =>
            Task.FromResult(region == "ap-shanghai" ? "ERROR InternalError" : TaskList(region, 2)));

        await rig.Scrape(Budget);

        var units = rig.Board.Snapshot();
        Assert.That(units.Select(u => u.Key), Is.EqualTo(new[]
        {
            new UnitKey("datahub_tasks", null, "ap-guangzhou"), new UnitKey("datahub_tasks", null, "ap-shanghai"),
        }));
        Assert.That(units[0].Last with { At = default, DurationSeconds = 0 }, Is.EqualTo(new CollectionSummary(default, true, 0, 1, null, 2, 0)));
        Assert.That(units[1].Last.Success, Is.False);
        Assert.That(units[1].Last.Error, Does.Contain("DescribeDatahubTasks in ap-shanghai failed on its first page").And.Contain("InternalError"));
    }

    [Test]
    public async Task A_hanging_api_is_a_failed_collection_within_the_budget()
    {
        // On a fake clock: the scrape ends when the clock reaches the budget, whatever the machine's speed.
        var time = new TimerRecordingTime();
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var rig = new Rig(Config("ap-guangzhou"), async (_, ct) =>
        {
            asked.TrySetResult();
            await Hang(ct);
            return "";
        }, time: time);

        var scrape = rig.Scrape(TimeSpan.FromSeconds(1.2));
        await asked.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(scrape.IsCompleted, Is.False, "the API hangs and the budget has not passed");
        // The collection stops 0.2 s (the stop margin) before the scrape's 1.2 s, so the scrape gets its failure.
        time.Advance(TimeSpan.FromSeconds(1));
        var answer = await scrape.WaitAsync(TimeSpan.FromSeconds(30)); // a bound against a hang, not a measurement
        Assert.That(answer.AllSucceeded, Is.False);
        Assert.That(rig.Engine.ErrorCount(Tasks, "ap-guangzhou"), Is.EqualTo(1));
        Assert.That(rig.Metrics.Get("datahub_tasks", ScrapeMetrics.Collected), Is.EqualTo(1), "the scrape got the collection's own failure");
    }

    [Test]
    public async Task A_budget_under_one_second_fails_at_once_and_calls_nothing()
    {
        var rig = new Rig(Config("ap-guangzhou"), (region, _) => Task.FromResult(TaskList(region, 1)));

        var answer = await rig.Scrape(TimeSpan.FromMilliseconds(100));

        Assert.That(answer.AllSucceeded, Is.False);
        Assert.That(Value(answer, "datahub_exporter_collect_success", ("region", "ap-guangzhou")), Is.EqualTo(0));
        Assert.That(Value(answer, "datahub_task_error_count", ("region", "ap-guangzhou")), Is.EqualTo(0));
        Assert.That(rig.Handler.Count, Is.EqualTo(0));
        Assert.That(rig.Metrics.Get("datahub_tasks", ScrapeMetrics.TimedOut), Is.EqualTo(1));
        Assert.That(rig.Board.Snapshot(), Is.Empty, "a scrape that got no collection tells the status page nothing");
    }

    [Test]
    public async Task A_joiner_with_a_shorter_budget_times_out_alone_and_counts_no_error()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero));
        var release = new TaskCompletionSource();
        var rig = new Rig(Config("ap-guangzhou"), async (region, ct) =>
        {
            await release.Task.WaitAsync(ct);
            return TaskList(region, 1);
        }, time: time);

        var patient = rig.Scrape(TimeSpan.FromSeconds(10));
        var hasty = rig.Scrape(TimeSpan.FromSeconds(2));
        await Eventually.HoldsAsync(() => rig.Handler.Count == 1, "the collection called the API");
        time.Advance(TimeSpan.FromSeconds(3));
        var hastyAnswer = await hasty;
        Assert.That(hastyAnswer.AllSucceeded, Is.False);
        Assert.That(rig.Metrics.Get("datahub_tasks", ScrapeMetrics.TimedOut), Is.EqualTo(1));

        release.SetResult();
        var patientAnswer = await patient;
        Assert.That(patientAnswer.AllSucceeded, Is.True, "the hasty scraper did not cut the collection short");
        Assert.That(rig.Engine.ErrorCount(Tasks, "ap-guangzhou"), Is.EqualTo(0));
        Assert.That(rig.Handler.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task A_collection_started_by_a_short_scrape_runs_until_the_latest_joiners_deadline()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero));
        var release = new TaskCompletionSource();
        var rig = new Rig(Config("ap-guangzhou"), async (region, ct) =>
        {
            await release.Task.WaitAsync(ct);
            return TaskList(region, 2);
        }, time: time);

        var starter = rig.Scrape(TimeSpan.FromSeconds(1.5));
        await Eventually.HoldsAsync(() => rig.Handler.Count == 1, "the collection called the API");
        var joiner = rig.Scrape(TimeSpan.FromSeconds(9.5));
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.That((await starter).AllSucceeded, Is.False);
        release.SetResult();
        var answer = await joiner;
        Assert.That(answer.AllSucceeded, Is.True);
        Assert.That(Count(answer, "datahub_task_status", "ap-guangzhou"), Is.EqualTo(2));
        Assert.That(rig.Engine.ErrorCount(Tasks, "ap-guangzhou"), Is.EqualTo(0));
    }

    [Test]
    public async Task No_collection_runs_past_the_max_timeout_whatever_the_budget()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero));
        var rig = new Rig(Config("ap-guangzhou"), async (_, ct) =>
        {
            await Hang(ct);
            return "";
        }, time: time, maxTimeout: TimeSpan.FromSeconds(5));

        var scrape = rig.Scrape(TimeSpan.FromSeconds(86_400));
        await Eventually.HoldsAsync(() => rig.Handler.Count == 1, "the collection called the API");
        time.Advance(TimeSpan.FromSeconds(5));
        var answer = await scrape.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(answer.AllSucceeded, Is.False);
        Assert.That(rig.Engine.ErrorCount(Tasks, "ap-guangzhou"), Is.EqualTo(1), "a collection that ran out of time failed");
    }

    [Test]
    public async Task A_collection_nobody_waits_for_is_cancelled_and_the_next_scrape_starts_afresh()
    {
        var healthy = false;
        var cancelled = new TaskCompletionSource();
        var rig = new Rig(Config("ap-guangzhou"), async (region, ct) =>
        {
            if (healthy)
            {
                return TaskList(region, 1);
            }

            try
            {
                await Hang(ct);
            }
            catch (OperationCanceledException)
            {
                cancelled.TrySetResult();
                throw;
            }

            return "";
        });

        using var client = new CancellationTokenSource();
        var gone = rig.Scrape(TimeSpan.FromSeconds(86_400), client.Token);
        await Eventually.HoldsAsync(() => rig.Handler.Count == 1, "the collection called the API");
        await client.CancelAsync();
        Assert.That(async () => await gone, Throws.InstanceOf<OperationCanceledException>());
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));

        healthy = true;
        var next = await rig.Scrape(TimeSpan.FromSeconds(10));
        Assert.That(next.AllSucceeded, Is.True);
        Assert.That(rig.Engine.ErrorCount(Tasks, "ap-guangzhou"), Is.EqualTo(0), "an abandoned collection is no failure anyone saw");
        Assert.That(rig.Handler.Count, Is.EqualTo(2));
    }

    [Test]
    public async Task With_a_cache_an_abandoned_collection_runs_on_and_serves_the_next_scrape()
    {
        var release = new TaskCompletionSource();
        var rig = new Rig(Config("ap-guangzhou"), async (region, ct) =>
        {
            await release.Task.WaitAsync(ct);
            return TaskList(region, 1);
        }, ttl: TimeSpan.FromMinutes(1));

        using var client = new CancellationTokenSource();
        var gone = rig.Scrape(TimeSpan.FromSeconds(30), client.Token);
        await Eventually.HoldsAsync(() => rig.Handler.Count == 1, "the collection called the API");
        await client.CancelAsync();
        Assert.That(async () => await gone, Throws.InstanceOf<OperationCanceledException>());
        release.SetResult();
        ScrapeAnswer? answer = null;
        for (var i = 0; i < 200 && rig.Metrics.Get("datahub_tasks", ScrapeMetrics.Cached) == 0; i++)
        {
            answer = await rig.Scrape(TimeSpan.FromSeconds(10));
        }

        Assert.That(answer!.AllSucceeded, Is.True);
        Assert.That(rig.Metrics.Get("datahub_tasks", ScrapeMetrics.Cached), Is.EqualTo(1));
        Assert.That(rig.Handler.Count, Is.EqualTo(1), "the first collection's result was kept, nothing called again");
    }

    [Test]
    public async Task Cache_serves_the_last_good_result_for_its_ttl_and_says_how_old()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero));
        var rig = new Rig(Config("ap-guangzhou"), (region, _) => Task.FromResult(TaskList(region, 1)), ttl: TimeSpan.FromSeconds(30), time: time);

        var first = await rig.Scrape(Budget);
        Assert.That(Value(first, "datahub_exporter_cache_age_seconds"), Is.EqualTo(0));
        time.Advance(TimeSpan.FromSeconds(20));
        var second = await rig.Scrape(Budget);
        Assert.That(rig.Handler.Count, Is.EqualTo(1));
        Assert.That(Value(second, "datahub_exporter_cache_age_seconds"), Is.EqualTo(20));
        Assert.That(rig.Metrics.Get("datahub_tasks", ScrapeMetrics.Cached), Is.EqualTo(1));
        time.Advance(TimeSpan.FromSeconds(11));
        await rig.Scrape(Budget);
        Assert.That(rig.Handler.Count, Is.EqualTo(2), "expired after 31 s");
    }

    [Test]
    public async Task Cache_never_keeps_a_failed_collection()
    {
        var fail = true;
        var rig = new Rig(Config("ap-guangzhou"), (region, _) => Task.FromResult(fail ? "ERROR InternalError" : TaskList(region, 1)),
            ttl: TimeSpan.FromMinutes(5));

        Assert.That((await rig.Scrape(Budget)).AllSucceeded, Is.False);
        fail = false;
        Assert.That((await rig.Scrape(Budget)).AllSucceeded, Is.True);
        Assert.That(rig.Handler.Count, Is.EqualTo(2));
    }

    [Test]
    public async Task Durations_come_from_the_injected_clock()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero));
        var rig = new Rig(Config("ap-guangzhou"), (region, _) =>
        {
            time.Advance(TimeSpan.FromMilliseconds(1250));
            return Task.FromResult(TaskList(region, 1));
        }, time: time);

        var answer = await rig.Scrape(Budget);
        Assert.That(Value(answer, "datahub_exporter_collect_duration_seconds", ("region", "ap-guangzhou")), Is.EqualTo(1.25));
    }

    [Test]
    public async Task Filtered_items_produce_no_series_of_any_kind()
    {
        var config = new ConfigHolder(new ExporterConfig
        {
            Credentials = new Credentials("AKIDtest0000", "k", null),
            Regions = ["ap-guangzhou"],
            Endpoint = new Uri("https://ckafka.example/"),
            SourcePath = "x",
            TaskFilter = NameFilter.Create("prod-.*", "prod-test-.*"),
        }, TimeProvider.System);
        string[] names = ["prod-orders", "prod-test-orders", "dev-orders", "prod-users"];
        var rig = new Rig(config, (_, _) => Task.FromResult(
            "{\"TotalCount\":4,\"TaskList\":[" + string.Join(",", names.Select((n, i) =>
                $"{{\"TaskId\":\"t{i}\",\"TaskName\":\"{n}\",\"Status\":4,\"ErrorMessage\":\"failed\"}}")) + "]}"));

        var answer = await rig.Scrape(Budget);
        foreach (var family in new[] { "datahub_task_status", "datahub_task_info", "datahub_task_error_info" })
        {
            Assert.That(answer.Families.Single(f => f.Name == family).Samples.Select(s => s.Labels.Single(l => l.Name == "TaskId").Value),
                Is.EqualTo(new[] { "t0", "t3" }), family);
        }
    }

    [Test]
    public async Task Error_info_carries_the_cleaned_message_only_for_items_that_have_one()
    {
        var longMessage = new string('x', 199) + "🚀" + "tail";
        var rig = new Rig(Config("ap-guangzhou"), (_, _) => Task.FromResult(
            "{\"TotalCount\":3,\"TaskList\":[" +
            "{\"TaskId\":\"t0\",\"TaskName\":\"a\",\"Status\":4,\"ErrorMessage\":\"  step 2:\\n\\tconnection\\u0007 refused  \"}," +
            "{\"TaskId\":\"t1\",\"TaskName\":\"b\",\"Status\":1,\"ErrorMessage\":\"\"}," +
            $"{{\"TaskId\":\"t2\",\"TaskName\":\"c\",\"Status\":4,\"ErrorMessage\":\"{longMessage}\"}}]}}"));

        var answer = await rig.Scrape(Budget);
        var samples = answer.Families.Single(f => f.Name == "datahub_task_error_info").Samples;
        Assert.That(samples.Select(s => s.Labels.Select(l => l.Name)), Is.All.EqualTo(new[] { "region", "TaskId", "ErrorMessage" }));
        Assert.That(samples.Select(s => s.Labels[1].Value), Is.EqualTo(new[] { "t0", "t2" }));
        Assert.That(samples[0].Labels[2].Value, Is.EqualTo("step 2: connection refused"));
        Assert.That(samples[1].Labels[2].Value, Is.EqualTo(new string('x', 199)), "cut at 200 without splitting the surrogate pair");
        Assert.That(samples.Select(s => s.Value), Is.All.EqualTo(1));
    }

    [Test]
    public async Task A_reload_changes_the_regions_of_the_next_collection()
    {
        var holder = new ConfigHolder(new ExporterConfig
        {
            Credentials = new Credentials("AKIDtest0000", "k", null), Regions = ["ap-guangzhou"], Endpoint = new Uri("https://ckafka.example/"), SourcePath = "x",
        }, () => new ExporterConfig
        {
            Credentials = new Credentials("AKIDtest0001", "k2", null), Regions = ["ap-beijing"], Endpoint = new Uri("https://ckafka.example/"), SourcePath = "x",
        }, NullLogger.Instance, TimeProvider.System, (_, _) => { });
        var rig = new Rig(holder, (region, _) => Task.FromResult(TaskList(region, 1)));

        await rig.Scrape(Budget);
        Assert.That(holder.Reload(), Is.Null);
        await rig.Scrape(Budget);
        Assert.That(rig.Handler.Requests.Select(r => r.Header("X-TC-Region") + "/" + r.Header("Authorization")!.Split("Credential=")[1].Split('/')[0]),
            Is.EqualTo(new[] { "ap-guangzhou/AKIDtest0000", "ap-beijing/AKIDtest0001" }));
    }

    [Test]
    public void A_failed_reload_keeps_the_old_configuration()
    {
        var holder = new ConfigHolder(new ExporterConfig { Credentials = new Credentials("AKIDtest0000", "k", null), Regions = ["ap-guangzhou"], SourcePath = "x" },
            () => throw new ConfigException("x.conf: [common] region: missing"), NullLogger.Instance, TimeProvider.System, (_, _) => { });
        Assert.That(holder.Reload(), Is.EqualTo("x.conf: [common] region: missing"));
        Assert.That(holder.LastReloadSuccessful, Is.False);
        Assert.That(holder.Current.Regions, Is.EqualTo(new[] { "ap-guangzhou" }));
    }

    [Test]
    public async Task Both_paths_at_once_make_one_exposition_with_shared_families_rendered_once()
    {
        var rig = new Rig(Config("ap-guangzhou"), (region, _) => Task.FromResult(TaskList(region, 1)
            .Replace("TaskList", "ConnectResourceList").Replace("TaskId", "ResourceId").Replace("TaskName", "ResourceName")));
        var answer = await rig.Engine.ScrapeAllAsync(Budget, CancellationToken.None);
        Assert.That(answer.Families.Select(f => f.Name), Is.Unique);
        Assert.That(answer.Families.Single(f => f.Name == "datahub_exporter_collect_success").Samples.Select(s => s.Labels[1].Value),
            Is.EqualTo(new[] { "datahub_tasks", "connect_resources" }));
    }
}
