using DatahubExporter.Configuration;
using DatahubExporter.TencentCloud;

namespace DatahubExporter.Tests.TencentCloud;

/// <summary>The client-side limiter (tencent-cloud-api.md §5), on a manual clock: no real waiting, no timing asserts.</summary>
public class RequestRateLimiterTests
{
    [Test]
    public async Task First_request_goes_at_once()
    {
        var time = new ManualTimeProvider();
        var limiter = new RequestRateLimiter(2, time);

        Assert.That(await limiter.WaitAsync("A", "r", CancellationToken.None), Is.EqualTo(TimeSpan.Zero));
        Assert.That(time.CreatedTimers, Is.Empty);
    }

    [Test]
    public async Task A_full_window_makes_the_next_request_wait_until_the_oldest_leaves_it()
    {
        var time = new ManualTimeProvider();
        var limiter = new RequestRateLimiter(2, time);
        Assert.That(await limiter.WaitAsync("A", "r", CancellationToken.None), Is.EqualTo(TimeSpan.Zero));
        Assert.That(await limiter.WaitAsync("A", "r", CancellationToken.None), Is.EqualTo(TimeSpan.Zero), "two per second may go together");

        var third = limiter.WaitAsync("A", "r", CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.That(third.IsCompleted, Is.False);
        time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.That(await third.WaitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo(TimeSpan.FromSeconds(1)));
    }

    [Test]
    public async Task Time_already_passed_counts_toward_the_window()
    {
        var time = new ManualTimeProvider();
        var limiter = new RequestRateLimiter(2, time);
        await limiter.WaitAsync("A", "r", CancellationToken.None);
        await limiter.WaitAsync("A", "r", CancellationToken.None);
        time.Advance(TimeSpan.FromMilliseconds(300));

        var third = limiter.WaitAsync("A", "r", CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromMilliseconds(700));

        Assert.That(await third.WaitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo(TimeSpan.FromMilliseconds(700)));
    }

    [Test]
    public async Task Fractional_rates_keep_their_average()
    {
        var time = new ManualTimeProvider { AutoAdvanceUpTo = TimeSpan.FromSeconds(10) };
        var limiter = new RequestRateLimiter(0.5, time);

        Assert.That(await limiter.WaitAsync("A", "r", CancellationToken.None), Is.EqualTo(TimeSpan.Zero));
        Assert.That(await limiter.WaitAsync("A", "r", CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo(TimeSpan.FromSeconds(2)));
    }

    [Test]
    public async Task Concurrent_requests_fill_one_window_then_the_next()
    {
        var time = new ManualTimeProvider();
        var limiter = new RequestRateLimiter(10, time);

        var pending = Enumerable.Range(0, 25).Select(_ => limiter.WaitAsync("A", "r", CancellationToken.None).AsTask()).ToList();
        time.Advance(TimeSpan.FromSeconds(3));
        var waits = await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.That(waits.Select(w => Math.Round(w.TotalMilliseconds)).Order(),
            Is.EqualTo(Enumerable.Repeat(0.0, 10).Concat(Enumerable.Repeat(1000.0, 10)).Concat(Enumerable.Repeat(2000.0, 5))));
    }

    [Test]
    public async Task Concurrent_requests_from_many_threads_never_overfill_a_window()
    {
        // The clock stands still while 40 threads reserve, so each wait is exactly its window's offset.
        var time = new ManualTimeProvider();
        var limiter = new RequestRateLimiter(20, time);

        var tasks = new Task<TimeSpan>[40];
        Parallel.For(0, tasks.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            i => tasks[i] = limiter.WaitAsync("A", "r", CancellationToken.None).AsTask());
        time.Advance(TimeSpan.FromSeconds(2));
        var waits = await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.That(waits.Count(w => w == TimeSpan.Zero), Is.EqualTo(20));
        Assert.That(waits.Count(w => w == TimeSpan.FromSeconds(1)), Is.EqualTo(20));
    }

    [Test]
    public async Task No_second_ever_holds_more_starts_than_the_rate()
    {
        // Irregular arrivals: some bunched, some spread; every 15 consecutive starts must span a full second.
        var time = new ManualTimeProvider { AutoAdvanceUpTo = TimeSpan.FromSeconds(10) };
        var limiter = new RequestRateLimiter(15, time);
        var random = new Random(7);
        var starts = new List<DateTimeOffset>();
        for (var i = 0; i < 200; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(random.Next(0, 3) == 0 ? random.Next(0, 200) : 0));
            await limiter.WaitAsync("A", "r", CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            starts.Add(time.GetUtcNow());
        }

        for (var k = 15; k < starts.Count; k++)
        {
            Assert.That(starts[k] - starts[k - 15], Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1)), $"starts {k - 15}..{k}");
        }
    }

    [Test]
    public async Task Actions_and_regions_have_their_own_buckets()
    {
        var time = new ManualTimeProvider();
        var limiter = new RequestRateLimiter(1, time);
        await limiter.WaitAsync("A", "r1", CancellationToken.None);

        Assert.That(await limiter.WaitAsync("B", "r1", CancellationToken.None), Is.EqualTo(TimeSpan.Zero));
        Assert.That(await limiter.WaitAsync("A", "r2", CancellationToken.None), Is.EqualTo(TimeSpan.Zero));
    }

    [TestCase(0)]
    [TestCase(-5)]
    [TestCase(double.NaN)]
    [TestCase(double.PositiveInfinity)]
    public async Task Zero_negative_or_odd_rates_disable_the_limiter(double rate)
    {
        var time = new ManualTimeProvider();
        var limiter = new RequestRateLimiter(rate, time);

        for (var i = 0; i < 5; i++)
        {
            Assert.That(await limiter.WaitAsync("A", "r", CancellationToken.None), Is.EqualTo(TimeSpan.Zero));
        }
        Assert.That(limiter.IsEnabled, Is.False);
        Assert.That(time.CreatedTimers, Is.Empty);
    }

    [Test]
    public async Task Cancelled_wait_throws_and_hands_its_slot_back()
    {
        var time = new ManualTimeProvider();
        var limiter = new RequestRateLimiter(1, time);
        await limiter.WaitAsync("A", "r", CancellationToken.None);
        using var cts = new CancellationTokenSource();

        var abandoned = limiter.WaitAsync("A", "r", cts.Token).AsTask();
        cts.Cancel();
        Assert.CatchAsync<OperationCanceledException>(() => abandoned.WaitAsync(TimeSpan.FromSeconds(30)));

        var next = limiter.WaitAsync("A", "r", CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(await next.WaitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo(TimeSpan.FromSeconds(1)));
    }

    [Test]
    public async Task Client_keeps_sequential_calls_under_the_rate_and_reports_the_waits()
    {
        var time = new ManualTimeProvider { AutoAdvanceUpTo = TimeSpan.FromSeconds(10) };
        var handler = new FakeHandler((_, _) => FakeHandler.Ok(), time);
        var observer = new RecordingObserver();
        var client = new TencentCloudClient(new HttpClient(handler), new TencentCloudClientOptions { RateLimitPerSecond = 2 }, observer, time);
        var target = new ApiTarget("ap-beijing", new Uri("https://ckafka.ap-beijing.tencentcloudapi.com"), new Credentials("AKIDexample0001", "key", null));

        for (var i = 0; i < 4; i++)
        {
            using var _ = await client.CallAsync(target, "DescribeDatahubTasks", "{}"u8.ToArray(), CancellationToken.None);
        }

        var at = handler.Requests.Select(r => r.At).ToList();
        for (var i = 2; i < at.Count; i++)
        {
            Assert.That(at[i] - at[i - 2], Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1)), "at most 2 in any second");
        }
        Assert.That(observer.LimiterWaits, Is.EqualTo(new[] { ("DescribeDatahubTasks", "ap-beijing", 1.0) }));
    }

    [Test]
    public void Client_limiter_wait_is_cut_short_by_the_caller()
    {
        var time = new ManualTimeProvider();
        var handler = new FakeHandler((_, _) => FakeHandler.Ok(), time);
        var client = new TencentCloudClient(new HttpClient(handler), new TencentCloudClientOptions { RateLimitPerSecond = 0.001 }, new RecordingObserver(), time);
        var target = new ApiTarget("ap-beijing", new Uri("https://ckafka.ap-beijing.tencentcloudapi.com"), new Credentials("AKIDexample0001", "key", null));
        using var cts = new CancellationTokenSource();

        Assert.DoesNotThrowAsync(async () => (await client.CallAsync(target, "A", "{}"u8.ToArray(), CancellationToken.None)).Dispose());
        var second = client.CallAsync(target, "A", "{}"u8.ToArray(), cts.Token);
        cts.Cancel();

        Assert.CatchAsync<OperationCanceledException>(() => second.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.That(handler.Count, Is.EqualTo(1));
    }
}
