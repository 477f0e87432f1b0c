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
    public async Task Second_request_waits_the_full_interval_on_the_clock()
    {
        var time = new ManualTimeProvider();
        var limiter = new RequestRateLimiter(2, time);
        await limiter.WaitAsync("A", "r", CancellationToken.None);

        var second = limiter.WaitAsync("A", "r", CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.That(second.IsCompleted, Is.False);
        time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.That(await second.WaitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo(TimeSpan.FromMilliseconds(500)));
    }

    [Test]
    public async Task Time_already_passed_counts_toward_the_interval()
    {
        var time = new ManualTimeProvider();
        var limiter = new RequestRateLimiter(2, time);
        await limiter.WaitAsync("A", "r", CancellationToken.None);
        time.Advance(TimeSpan.FromMilliseconds(300));

        var second = limiter.WaitAsync("A", "r", CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromMilliseconds(200));

        Assert.That(await second.WaitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo(TimeSpan.FromMilliseconds(200)));
    }

    [Test]
    public async Task Concurrent_requests_get_consecutive_slots()
    {
        var time = new ManualTimeProvider { AutoAdvanceUpTo = TimeSpan.FromSeconds(10) };
        var limiter = new RequestRateLimiter(10, time);

        var waits = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => limiter.WaitAsync("A", "r", CancellationToken.None).AsTask()))
            .WaitAsync(TimeSpan.FromSeconds(30));

        Assert.That(waits.Select(w => Math.Round(w.TotalMilliseconds)).Order(),
            Is.EqualTo(new double[] { 0, 100, 200, 300, 400, 500, 600, 700, 800, 900 }));
    }

    [Test]
    public async Task Concurrent_requests_from_many_threads_never_share_a_slot()
    {
        // The clock stands still while 40 threads reserve, so each wait is exactly its slot's offset.
        var time = new ManualTimeProvider();
        var limiter = new RequestRateLimiter(20, time);

        var tasks = new Task<TimeSpan>[40];
        Parallel.For(0, tasks.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            i => tasks[i] = limiter.WaitAsync("A", "r", CancellationToken.None).AsTask());
        time.Advance(TimeSpan.FromSeconds(2));
        var waits = await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.That(waits.Select(w => (int)Math.Round(w.TotalMilliseconds)).Order(), Is.EqualTo(Enumerable.Range(0, 40).Select(i => i * 50)));
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
    public async Task Client_spaces_sequential_calls_and_reports_the_waits()
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
        for (var i = 1; i < at.Count; i++)
        {
            Assert.That(at[i] - at[i - 1], Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(500)));
        }
        Assert.That(observer.LimiterWaits, Is.EqualTo(Enumerable.Repeat(("DescribeDatahubTasks", "ap-beijing", 0.5), 3)));
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
