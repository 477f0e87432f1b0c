using DatahubExporter.Configuration;
using DatahubExporter.TencentCloud;

namespace DatahubExporter.Tests.TencentCloud;

/// <summary>The client-side limiter (tencent-cloud-api.md §5), on a manual clock: no real waiting, no timing asserts.</summary>
public class RequestRateLimiterTests
{
    [Test]
    public async Task First_request_goes_at_once()
    {
        var time = new TimerRecordingTime();
        var limiter = new RequestRateLimiter(2, time);

        Assert.That(await limiter.WaitedAsync("A", "r", CancellationToken.None), Is.EqualTo(TimeSpan.Zero));
        Assert.That(time.CreatedTimers, Is.Empty);
    }

    [Test]
    public async Task A_full_window_makes_the_next_request_wait_until_the_oldest_leaves_it()
    {
        var time = new TimerRecordingTime();
        var limiter = new RequestRateLimiter(2, time);
        Assert.That(await limiter.WaitedAsync("A", "r", CancellationToken.None), Is.EqualTo(TimeSpan.Zero));
        Assert.That(await limiter.WaitedAsync("A", "r", CancellationToken.None), Is.EqualTo(TimeSpan.Zero), "two per second may go together");

        var third = limiter.WaitedAsync("A", "r", CancellationToken.None).AsTask();
        Assert.That(await WaitsExactlyAsync(time, third, TimeSpan.FromMilliseconds(1000)), Is.EqualTo(TimeSpan.FromSeconds(1)));
    }

    [Test]
    public async Task Time_already_passed_counts_toward_the_window()
    {
        var time = new TimerRecordingTime();
        var limiter = new RequestRateLimiter(2, time);
        await limiter.WaitedAsync("A", "r", CancellationToken.None);
        await limiter.WaitedAsync("A", "r", CancellationToken.None);
        time.Advance(TimeSpan.FromMilliseconds(300));

        var third = limiter.WaitedAsync("A", "r", CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromMilliseconds(700));

        Assert.That(await third.WaitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo(TimeSpan.FromMilliseconds(700)));
    }

    [Test]
    public async Task Fractional_rates_keep_their_average()
    {
        var time = new TimerRecordingTime { AutoFireWithin = TimeSpan.FromSeconds(10) };
        var limiter = new RequestRateLimiter(0.5, time);

        Assert.That(await limiter.WaitedAsync("A", "r", CancellationToken.None), Is.EqualTo(TimeSpan.Zero));
        Assert.That(await limiter.WaitedAsync("A", "r", CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo(TimeSpan.FromSeconds(2)));
    }

    [Test]
    public async Task Concurrent_requests_fill_one_window_then_the_next()
    {
        var time = new TimerRecordingTime();
        var limiter = new RequestRateLimiter(10, time);

        var pending = Enumerable.Range(0, 25).Select(_ => limiter.WaitedAsync("A", "r", CancellationToken.None).AsTask()).ToList();
        // A second at a time, each window's requests leaving before the clock moves on (as real requests do).
        for (var second = 1; second <= 2; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Eventually.HoldsAsync(() => pending.Count(t => t.IsCompleted) >= Math.Min(25, 10 * (second + 1)), $"the turns of second {second}");
        }
        var waits = await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.That(waits.Select(w => Math.Round(w.TotalMilliseconds)).Order(),
            Is.EqualTo(Enumerable.Repeat(0.0, 10).Concat(Enumerable.Repeat(1000.0, 10)).Concat(Enumerable.Repeat(2000.0, 5))));
    }

    [Test]
    public async Task Concurrent_requests_from_many_threads_never_overfill_a_window()
    {
        // The clock stands still while 40 threads reserve, so each wait is exactly its window's offset.
        var time = new TimerRecordingTime();
        var limiter = new RequestRateLimiter(20, time);

        var tasks = new Task<TimeSpan>[40];
        Parallel.For(0, tasks.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            i => tasks[i] = limiter.WaitedAsync("A", "r", CancellationToken.None).AsTask());
        time.Advance(TimeSpan.FromSeconds(2));
        var waits = await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.That(waits.Count(w => w == TimeSpan.Zero), Is.EqualTo(20));
        Assert.That(waits.Count(w => w == TimeSpan.FromSeconds(1)), Is.EqualTo(20));
    }

    [Test]
    public async Task No_second_ever_holds_more_starts_than_the_rate()
    {
        // Irregular arrivals: some bunched, some spread; every 15 consecutive starts must span a full second.
        var time = new TimerRecordingTime { AutoFireWithin = TimeSpan.FromSeconds(10) };
        var limiter = new RequestRateLimiter(15, time);
        var random = new Random(7);
        var starts = new List<DateTimeOffset>();
        for (var i = 0; i < 200; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(random.Next(0, 3) == 0 ? random.Next(0, 200) : 0));
            await limiter.WaitedAsync("A", "r", CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
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
        var time = new TimerRecordingTime();
        var limiter = new RequestRateLimiter(1, time);
        await limiter.WaitedAsync("A", "r1", CancellationToken.None);

        Assert.That(await limiter.WaitedAsync("B", "r1", CancellationToken.None), Is.EqualTo(TimeSpan.Zero));
        Assert.That(await limiter.WaitedAsync("A", "r2", CancellationToken.None), Is.EqualTo(TimeSpan.Zero));
    }

    [TestCase(0)]
    [TestCase(-5)]
    [TestCase(double.NaN)]
    [TestCase(double.PositiveInfinity)]
    public async Task Zero_negative_or_odd_rates_disable_the_limiter(double rate)
    {
        var time = new TimerRecordingTime();
        var limiter = new RequestRateLimiter(rate, time);

        for (var i = 0; i < 5; i++)
        {
            Assert.That(await limiter.WaitedAsync("A", "r", CancellationToken.None), Is.EqualTo(TimeSpan.Zero));
        }
        Assert.That(limiter.IsEnabled, Is.False);
        Assert.That(time.CreatedTimers, Is.Empty);
    }

    [Test]
    public async Task Cancelled_wait_throws_and_hands_its_slot_back()
    {
        var time = new TimerRecordingTime();
        var limiter = new RequestRateLimiter(1, time);
        await limiter.WaitedAsync("A", "r", CancellationToken.None);
        using var cts = new CancellationTokenSource();

        var abandoned = limiter.WaitedAsync("A", "r", cts.Token).AsTask();
        cts.Cancel();
        Assert.CatchAsync<OperationCanceledException>(() => abandoned.WaitAsync(TimeSpan.FromSeconds(30)));

        var next = limiter.WaitedAsync("A", "r", CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(await next.WaitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo(TimeSpan.FromSeconds(1)));
    }

    [Test]
    public async Task Client_keeps_sequential_calls_under_the_rate_and_reports_the_waits()
    {
        var time = new TimerRecordingTime { AutoFireWithin = TimeSpan.FromSeconds(10) };
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
        var time = new TimerRecordingTime();
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

    [Test]
    public void A_refusal_halves_the_rate_and_quiet_seconds_add_one_back_each_up_to_the_configured_rate()
    {
        var time = new TimerRecordingTime();
        var limiter = new RequestRateLimiter(15, time);

        Assert.That(limiter.Rate("A", "h"), Is.EqualTo(15));
        Assert.That(limiter.Refused("A", "h"), Is.EqualTo(7.5));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(limiter.Refused("A", "h"), Is.EqualTo(4.25), "a refusal one window later halves what has grown back since: (7.5 + 1) / 2");
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.That(limiter.Rate("A", "h"), Is.EqualTo(6.25), "two quiet seconds add two");
        time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.That(limiter.Rate("A", "h"), Is.EqualTo(6.75));
        time.Advance(TimeSpan.FromSeconds(100));
        Assert.That(limiter.Rate("A", "h"), Is.EqualTo(15), "never above the configured rate");
        Assert.That(limiter.Rate("B", "h"), Is.EqualTo(15), "other keys are not touched");
    }

    [Test]
    public void Refusals_within_one_window_count_once()
    {
        // Pages fetched concurrently are refused together; that is one signal, not five.
        var time = new TimerRecordingTime();
        var limiter = new RequestRateLimiter(16, time);

        var rates = Enumerable.Range(0, 5).Select(_ => limiter.Refused("A", "h")).ToList();
        time.Advance(TimeSpan.FromMilliseconds(999));

        Assert.That(rates, Is.All.EqualTo(8));
        Assert.That(limiter.Refused("A", "h"), Is.EqualTo(8.999).Within(1e-9));
    }

    [Test]
    public void The_rate_never_drops_below_one_per_second_nor_above_a_configured_rate_under_one()
    {
        var time = new TimerRecordingTime();
        var limiter = new RequestRateLimiter(1.5, time);
        var slow = new RequestRateLimiter(0.5, time);

        Assert.That(limiter.Refused("A", "h"), Is.EqualTo(1.0));
        Assert.That(slow.Refused("A", "h"), Is.EqualTo(0.5));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(limiter.Rates(), Is.EqualTo(new[] { ("A", "h", 1.5) }));
    }

    [Test]
    public async Task After_a_refusal_nothing_of_that_key_starts_within_the_api_window()
    {
        var time = new TimerRecordingTime();
        var limiter = new RequestRateLimiter(15, time);
        await limiter.WaitedAsync("A", "h", CancellationToken.None);
        time.Advance(TimeSpan.FromMilliseconds(100));
        limiter.Refused("A", "h");

        var retry = limiter.WaitedAsync("A", "h", CancellationToken.None).AsTask();
        Assert.That(await limiter.WaitedAsync("A", "other", CancellationToken.None), Is.EqualTo(TimeSpan.Zero), "another host is free");
        Assert.That(await WaitsExactlyAsync(time, retry, TimeSpan.FromMilliseconds(1000)), Is.EqualTo(TimeSpan.FromSeconds(1)));
    }

    [Test]
    public async Task After_a_refusal_the_window_guard_is_added_to_the_api_window()
    {
        // The exporter runs with a 50 ms guard: a retry must not reach the API a hair under one second after the
        // refused request did (seen in CI: 0.99997 s), or it is refused again.
        var time = new TimerRecordingTime();
        var limiter = new RequestRateLimiter(15, time, TimeSpan.FromMilliseconds(50));
        limiter.Refused("A", "h");

        var retry = limiter.WaitedAsync("A", "h", CancellationToken.None).AsTask();
        Assert.That(await WaitsExactlyAsync(time, retry, TimeSpan.FromMilliseconds(1050)), Is.EqualTo(TimeSpan.FromMilliseconds(1050)));
    }

    [Test]
    public async Task A_lowered_rate_spaces_starts_by_its_own_window()
    {
        var time = new TimerRecordingTime { AutoFireWithin = TimeSpan.FromSeconds(10) };
        var limiter = new RequestRateLimiter(8, time);
        limiter.Refused("A", "h"); // 4/s from now, recovering 1/s per quiet second
        time.Advance(TimeSpan.FromSeconds(1)); // the refusal window has passed: 5/s

        var starts = new List<DateTimeOffset>();
        for (var i = 0; i < 11; i++)
        {
            await limiter.WaitedAsync("A", "h", CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            starts.Add(time.GetUtcNow());
        }

        Assert.That(starts[5] - starts[0], Is.EqualTo(TimeSpan.FromSeconds(1)), "5 in the first second, not 8");
        Assert.That(starts[10] - starts[5], Is.LessThan(TimeSpan.FromSeconds(1)), "the rate has grown to 6/s since");
    }

    [Test]
    public async Task Client_retries_a_rate_limited_request_no_sooner_than_one_second_and_lowers_the_rate()
    {
        var (client, handler) = await CallRefusedAsync(refusals: 2, rate: 12, "RequestLimitExceeded");

        var at = handler.Requests.Select(r => r.At).ToList();
        Assert.That(at, Has.Count.EqualTo(3));
        Assert.That(at[1] - at[0], Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1)));
        Assert.That(at[2] - at[1], Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1)));
        Assert.That(client.RateLimits().Single().Rate, Is.LessThan(6), "halved twice, with a little recovered since");
    }

    [Test]
    public async Task Client_without_a_limiter_still_waits_one_second_after_a_refusal()
    {
        var (client, handler) = await CallRefusedAsync(refusals: 1, rate: 0, "RequestLimitExceeded.UinLimitExceeded");

        var at = handler.Requests.Select(r => r.At).ToList();
        Assert.That(at[1] - at[0], Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1)));
        Assert.That(client.RateLimits(), Is.Empty);
    }

    private static readonly ApiTarget Target = new("ap-beijing", new Uri("https://ckafka.ap-beijing.tencentcloudapi.com"), new Credentials("AKIDexample0001", "key", null));

    [Test]
    public async Task Refusals_of_a_saturated_shared_key_are_bounded_by_the_deadline_not_by_the_attempts()
    {
        // Issue 16 item 7: another client used the key's whole quota; a page spent its four attempts on refusals after
        // 14.7 s of a 119 s budget. Ten refusals in a row now cost ten seconds of the deadline and no attempt.
        var time = new TimerRecordingTime { AutoFireWithin = TimeSpan.FromSeconds(10) };
        var handler = new FakeHandler((n, _) => n < 10 ? FakeHandler.ApiError("RequestLimitExceeded") : FakeHandler.Ok(), time);
        var client = new TencentCloudClient(new HttpClient(handler), new TencentCloudClientOptions { RateLimitPerSecond = 20, MaxAttempts = 4 }, new RecordingObserver(), time);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(119), time);

        using (await client.CallAsync(Target, "A", "{}"u8.ToArray(), deadline.Token))
        {
        }

        var at = handler.Requests.Select(r => r.At).ToList();
        Assert.That(at, Has.Count.EqualTo(11));
        Assert.That(at.Zip(at.Skip(1), (a, b) => b - a), Is.All.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1)), "each refusal still waits its second");
        Assert.That(client.RateLimits().Single().Rate, Is.LessThan(20), "and lowers the rate");
    }

    [Test]
    public void Refusals_without_end_fail_when_the_deadline_passes()
    {
        var time = new TimerRecordingTime { AutoFireWithin = TimeSpan.FromSeconds(10) };
        var handler = new FakeHandler((_, _) => FakeHandler.ApiError("RequestLimitExceeded"), time);
        var client = new TencentCloudClient(new HttpClient(handler), new TencentCloudClientOptions { RateLimitPerSecond = 20, MaxAttempts = 4 }, new RecordingObserver(), time);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30), time);

        var error = Assert.ThrowsAsync<TencentCloudException>(() => client.CallAsync(Target, "A", "{}"u8.ToArray(), deadline.Token));

        Assert.That(error!.Code, Is.EqualTo("RequestLimitExceeded"), "the last refusal, not a bare cancellation");
        Assert.That(handler.Count, Is.InRange(5, 31), "more than the four attempts, at most one a second until the deadline");
    }

    /// <summary>One call through a client whose API refuses the first <paramref name="refusals"/> attempts with <paramref name="code"/>.</summary>
    private static async Task<(TencentCloudClient Client, FakeHandler Handler)> CallRefusedAsync(int refusals, double rate, string code)
    {
        var time = new TimerRecordingTime { AutoFireWithin = TimeSpan.FromSeconds(10) };
        var handler = new FakeHandler((n, _) => n < refusals ? FakeHandler.ApiError(code) : FakeHandler.Ok(), time);
        var client = new TencentCloudClient(new HttpClient(handler), new TencentCloudClientOptions { RateLimitPerSecond = rate }, new RecordingObserver(), time);
        var target = new ApiTarget("ap-beijing", new Uri("https://ckafka.ap-beijing.tencentcloudapi.com"), new Credentials("AKIDexample0001", "key", null));
        using (await client.CallAsync(target, "A", "{}"u8.ToArray(), CancellationToken.None))
        {
        }

        return (client, handler);
    }

    /// <summary>Moves the clock to a millisecond before <paramref name="due"/>, where <paramref name="wait"/> must still
    /// be pending, then onto it; returns the wait the limiter reported.</summary>
    private static async Task<TimeSpan> WaitsExactlyAsync(FakeTimeProvider time, Task<TimeSpan> wait, TimeSpan due)
    {
        time.Advance(due - TimeSpan.FromMilliseconds(1));
        Assert.That(wait.IsCompleted, Is.False, "released before its time");
        time.Advance(TimeSpan.FromMilliseconds(1));
        return await wait.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
