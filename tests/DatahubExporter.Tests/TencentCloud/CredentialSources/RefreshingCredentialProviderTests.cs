using DatahubExporter.Configuration;
using DatahubExporter.Exposition;
using DatahubExporter.Telemetry;
using DatahubExporter.TencentCloud.CredentialSources;
using Microsoft.Extensions.Logging.Abstractions;

namespace DatahubExporter.Tests.TencentCloud.CredentialSources;

public class RefreshingCredentialProviderTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);

    private static (RefreshingCredentialProvider Provider, ScriptedFetcher Fetcher, TimerRecordingTime Time, CredentialMetrics Metrics) Create(string? triedBefore = null)
    {
        var time = new TimerRecordingTime(Start);
        var fetcher = new ScriptedFetcher(time);
        var metrics = new CredentialMetrics();
        return (new RefreshingCredentialProvider(fetcher, time, NullLogger.Instance, metrics, triedBefore), fetcher, time, metrics);
    }

    [TestCase(7200, 4800)]
    [TestCase(25, 16.6667)]
    [TestCase(0.9, 1)]
    [TestCase(-5, 1)]
    [TestCase(100 * 86400, 86400)]
    public void Refresh_is_due_after_two_thirds_of_the_remaining_lifetime(double remainingSeconds, double expectedSeconds)
    {
        var delay = RefreshingCredentialProvider.NextRefreshDelay(TimeSpan.FromSeconds(remainingSeconds));

        Assert.That(delay.TotalSeconds, Is.EqualTo(expectedSeconds).Within(0.001));
    }

    [TestCase(1, 0.0, 0.5)]
    [TestCase(1, 0.999, 1.0)]
    [TestCase(3, 0.999, 4.0)]
    [TestCase(7, 0.999, 59.97)]
    [TestCase(40, 0.0, 30)]
    public void Retry_delay_doubles_from_one_second_up_to_a_minute_with_jitter(int failures, double unit, double expectedSeconds)
    {
        Assert.That(RefreshingCredentialProvider.RetryDelay(failures, unit).TotalSeconds, Is.EqualTo(expectedSeconds).Within(0.01));
    }

    [Test]
    public async Task Start_fetches_once_and_callers_get_the_keys_without_fetching_again()
    {
        var (provider, fetcher, _, _) = Create();
        using var _ = provider;

        await provider.StartAsync(CancellationToken.None);
        var first = await provider.GetAsync(CancellationToken.None);
        var second = await provider.GetAsync(CancellationToken.None);

        Assert.That(first.SecretId, Is.EqualTo("AKIDscripted00000001"));
        Assert.That(second, Is.SameAs(first));
        Assert.That(fetcher.Fetches, Is.EqualTo(1));
        Assert.That(provider.Expiry, Is.EqualTo(Start + TimeSpan.FromMinutes(30)));
    }

    [Test]
    public async Task Keys_are_refreshed_in_the_background_before_they_expire()
    {
        var (provider, fetcher, time, _) = Create();
        using var _ = provider;
        await provider.StartAsync(CancellationToken.None);

        time.Advance(TimeSpan.FromMinutes(19)); // before 2/3 of 30 min: nothing yet
        Assert.That(time.TimersFired, Is.EqualTo(0), "no refresh came due (a due timer runs inside Advance)");

        time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        Assert.That(time.TimersFired, Is.EqualTo(1), "the same clock, a little further: the refresh came due");
        await RefreshesFinishedAsync(time, 2);
        Assert.That(fetcher.Fetches, Is.EqualTo(2));

        Assert.That((await provider.GetAsync(CancellationToken.None)).SecretId, Is.EqualTo("AKIDscripted00000002"));
        Assert.That(provider.Expiry, Is.EqualTo(time.GetUtcNow() + TimeSpan.FromMinutes(30)));
    }

    [Test]
    public async Task A_failed_refresh_keeps_the_current_keys_until_they_expire_and_then_says_why()
    {
        var (provider, fetcher, time, metrics) = Create();
        using var _ = provider;
        await provider.StartAsync(CancellationToken.None);
        var original = await provider.GetAsync(CancellationToken.None);
        fetcher.FailWith = "CVM metadata http://x/: HTTP 500";

        time.Advance(TimeSpan.FromMinutes(20) + TimeSpan.FromSeconds(1));
        await RefreshesFinishedAsync(time, 2);
        Assert.That(await provider.GetAsync(CancellationToken.None), Is.SameAs(original), "still valid: kept");

        // The retry comes after a backoff of at most a second, not at the next two-thirds mark.
        time.Advance(TimeSpan.FromSeconds(1));
        await RefreshesFinishedAsync(time, 3);
        Assert.That(fetcher.Fetches, Is.EqualTo(3));

        // The retry due within this advance starts inside it; GetAsync waits for it, so it is over below.
        time.Advance(TimeSpan.FromMinutes(10));
        var error = Assert.ThrowsAsync<CredentialException>(async () => await provider.GetAsync(CancellationToken.None));
        Assert.That(error!.Message, Is.EqualTo("credentials from cvm_role expired at 2026-03-01T08:30:00Z; the last refresh failed: CVM metadata http://x/: HTTP 500"));
        await RefreshesFinishedAsync(time, 4);
        Assert.That(fetcher.Fetches, Is.EqualTo(4));

        fetcher.FailWith = null;
        time.Advance(TimeSpan.FromMinutes(2)); // past any backoff
        await RefreshesFinishedAsync(time, 5);
        Assert.That(fetcher.Fetches, Is.EqualTo(5));
        Assert.That((await provider.GetAsync(CancellationToken.None)).SecretId, Is.EqualTo("AKIDscripted00000005"));
        Assert.That(Samples(metrics, "cvm_role", "failure"), Is.GreaterThanOrEqualTo(2));
        Assert.That(Samples(metrics, "cvm_role", "success"), Is.GreaterThanOrEqualTo(2));
    }

    [Test]
    public async Task Callers_rejected_together_share_one_refresh()
    {
        var (provider, fetcher, _, _) = Create();
        using var _ = provider;
        await provider.StartAsync(CancellationToken.None);
        var rejected = await provider.GetAsync(CancellationToken.None);
        fetcher.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var callers = Enumerable.Range(0, 8).Select(_ => provider.RefreshRejectedAsync(rejected, CancellationToken.None)).ToList();
        await Eventually.HoldsAsync(() => fetcher.Fetches == 2, "the refresh is fetching (held at the gate)");
        Assert.That(callers.Where(c => c.IsCompleted), Is.Empty, "every caller waits for the refresh");
        fetcher.Gate.SetResult();
        var renewed = await Task.WhenAll(callers);

        Assert.That(fetcher.Fetches, Is.EqualTo(2));
        Assert.That(renewed.Select(c => c?.SecretId).Distinct(), Is.EqualTo(new[] { "AKIDscripted00000002" }));

        // A caller rejected with the old keys after the refresh gets the new ones without another fetch.
        Assert.That((await provider.RefreshRejectedAsync(rejected, CancellationToken.None))!.SecretId, Is.EqualTo("AKIDscripted00000002"));
        Assert.That(fetcher.Fetches, Is.EqualTo(2));
    }

    [Test]
    public async Task Rejection_when_the_source_hands_out_nothing_new_gives_null()
    {
        var (provider, fetcher, _, _) = Create();
        using var _ = provider;
        await provider.StartAsync(CancellationToken.None);
        var rejected = await provider.GetAsync(CancellationToken.None);
        fetcher.FailWith = "down";

        Assert.That(await provider.RefreshRejectedAsync(rejected, CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task Callers_wait_for_the_first_fetch_but_never_start_one()
    {
        var (provider, fetcher, _, _) = Create();
        using var _ = provider;
        fetcher.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var start = provider.StartAsync(CancellationToken.None);
        var get = provider.GetAsync(CancellationToken.None).AsTask();
        await Eventually.HoldsAsync(() => fetcher.Fetches == 1, "the first fetch is running (held at the gate)");
        Assert.That(get.IsCompleted, Is.False, "the caller waits for the fetch in flight");
        fetcher.Gate.SetResult();
        await start;

        Assert.That((await get).SecretId, Is.EqualTo("AKIDscripted00000001"));
        Assert.That(fetcher.Fetches, Is.EqualTo(1));
    }

    [Test]
    public async Task A_failed_first_fetch_lists_what_the_chain_tried()
    {
        var (provider, fetcher, _, _) = Create("key pair: not set; profile file (/h/.tencentcloud/credentials): not found");
        using var _ = provider;
        fetcher.FailWith = "CVM metadata http://metadata.tencentyun.com/: no answer within 2 s";

        var error = Assert.ThrowsAsync<CredentialException>(() => provider.StartAsync(CancellationToken.None));

        Assert.That(error!.Message, Is.EqualTo("no credentials found; tried in order: key pair: not set; profile file (/h/.tencentcloud/credentials): not found; " +
            "cvm_role: CVM metadata http://metadata.tencentyun.com/: no answer within 2 s"));
        var again = Assert.ThrowsAsync<CredentialException>(async () => await provider.GetAsync(CancellationToken.None));
        Assert.That(again!.Message, Is.EqualTo(error.Message), "scrapes fail with the same reason, without fetching");
        Assert.That(fetcher.Fetches, Is.EqualTo(1));
    }

    [Test]
    public async Task Metrics_show_the_expiry_and_count_refreshes_by_result()
    {
        var (provider, fetcher, _, metrics) = Create();
        using var _ = provider;
        Assert.That(Samples(metrics, "cvm_role", "success"), Is.EqualTo(0), "series exist before the first refresh");
        await provider.StartAsync(CancellationToken.None);

        Assert.That(provider.Expiry, Is.EqualTo(Start + TimeSpan.FromMinutes(30)));
        Assert.That(provider.Metrics, Is.SameAs(metrics));
        Assert.That(metrics.Refreshes.Type, Is.EqualTo(MetricType.Counter));
        Assert.That(Samples(metrics, "cvm_role", "success"), Is.EqualTo(1));
        Assert.That(Samples(metrics, "cvm_role", "failure"), Is.EqualTo(0));
        Assert.That(fetcher.Fetches, Is.EqualTo(1));
    }

    [Test]
    public async Task Keys_expiring_months_ahead_start_and_are_refreshed_again_within_a_day()
    {
        // Issue 16 item 2: 2/3 of 100 days is past what a timer holds (~49.7 days): start-up threw on dueTime.
        var (provider, fetcher, time, _) = Create();
        using var _ = provider;
        fetcher.Lifetime = TimeSpan.FromDays(100);

        await provider.StartAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromDays(1));
        await RefreshesFinishedAsync(time, 2);
        time.Advance(TimeSpan.FromDays(1));
        await RefreshesFinishedAsync(time, 3);

        Assert.That((await provider.GetAsync(CancellationToken.None)).SecretId, Is.EqualTo("AKIDscripted00000003"), "the refresh loop keeps going");
    }

    [Test]
    public async Task Scrapes_rejected_while_the_source_fails_do_not_fetch_more_than_once_per_backoff()
    {
        // Issue 16 item 3: 20 scrapers rejected every second for 15 s made 145 fetches; the backoff allows about five.
        var (provider, fetcher, time, _) = Create();
        using var _ = provider;
        await provider.StartAsync(CancellationToken.None);
        var rejected = await provider.GetAsync(CancellationToken.None);
        fetcher.FailWith = "CVM metadata http://x/: HTTP 500";

        var renewed = await RejectEverySecondAsync(provider, rejected, time);

        TestContext.Out.WriteLine($"{fetcher.Fetches - 1} fetches in 15 s of rejections");
        Assert.That(renewed, Is.All.Null, "each scrape gets the failure");
        Assert.That(fetcher.Fetches - 1, Is.InRange(1, 6));
    }

    [Test]
    public async Task Scrapes_rejected_while_the_source_hands_out_the_same_keys_back_off_too()
    {
        var (provider, fetcher, time, _) = Create();
        using var _ = provider;
        fetcher.SameKeys = true;
        await provider.StartAsync(CancellationToken.None);
        var rejected = await provider.GetAsync(CancellationToken.None);

        var renewed = await RejectEverySecondAsync(provider, rejected, time);

        Assert.That(renewed, Is.All.Null);
        Assert.That(fetcher.Fetches - 1, Is.InRange(1, 6));
    }

    /// <summary>20 callers rejected with <paramref name="rejected"/> once a second, at 0 s to 15 s of the fake clock.</summary>
    /// <remarks>A retry the timer starts inside <c>Advance</c> is in flight before the next callers come, so they join
    /// it and wait for it: when a round has been answered, no refresh is running and nothing is left to wait for.</remarks>
    private static async Task<List<Credentials?>> RejectEverySecondAsync(RefreshingCredentialProvider provider, Credentials rejected, TimerRecordingTime time)
    {
        var renewed = new List<Credentials?>();
        for (var second = 0; second <= 15; second++)
        {
            if (second > 0)
            {
                time.Advance(TimeSpan.FromSeconds(1));
            }

            renewed.AddRange(await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => provider.RefreshRejectedAsync(rejected, CancellationToken.None))));
        }

        return renewed;
    }

    /// <summary>Waits (bounded) until the provider has finished <paramref name="count"/> refreshes, the first one included:
    /// each one, failed or not, ends by re-arming the provider's timer.</summary>
    private static Task RefreshesFinishedAsync(TimerRecordingTime time, int count) =>
        Eventually.HoldsAsync(() => time.TimersChanged >= count, $"{count} refreshes finished");

    [Test]
    public async Task Fetched_keys_are_masked_by_the_process_scrubber_before_anyone_uses_them()
    {
        var (provider, fetcher, _, _) = Create();
        using var _ = provider;
        fetcher.Lifetime = TimeSpan.FromMinutes(31);

        await provider.StartAsync(CancellationToken.None);
        var keys = await provider.GetAsync(CancellationToken.None);

        var scrubbed = SecretScrubber.Process.Scrub($"echoed {keys.SecretId} and {keys.Token}");
        Assert.That(scrubbed, Is.EqualTo($"echoed {keys.MaskedSecretId} and ****"));
    }

    [Test]
    public async Task Disposing_stops_the_background_refresh()
    {
        // The control: an hour on, a provider still in use has started a refresh inside Advance, and a caller of
        // the expired keys waits for it.
        var (control, controlFetcher, controlTime, _) = Create();
        using (control)
        {
            await control.StartAsync(CancellationToken.None);
            controlTime.Advance(TimeSpan.FromHours(1));
            Assert.That((await control.GetAsync(CancellationToken.None)).SecretId, Is.EqualTo("AKIDscripted00000002"));
            Assert.That(controlFetcher.Fetches, Is.EqualTo(2));
        }

        var (provider, fetcher, time, _) = Create();
        await provider.StartAsync(CancellationToken.None);

        provider.Dispose();
        time.Advance(TimeSpan.FromHours(1));

        // Had a refresh started inside Advance, GetAsync would wait for it and get new keys.
        Assert.ThrowsAsync<CredentialException>(async () => await provider.GetAsync(CancellationToken.None));
        Assert.That(fetcher.Fetches, Is.EqualTo(1));
        Assert.That(provider.Current, Is.Not.Null, "the keys in hand stay readable for scrapes still using them");
    }

    [Test]
    public void Static_keys_convert_to_a_provider_that_never_refreshes()
    {
        CredentialProvider provider = new Credentials("AKIDstatic0001", "k", null);

        Assert.That(provider.Source, Is.EqualTo("static"));
        Assert.That(provider.Expiry, Is.Null);
        Assert.That(provider.Metrics, Is.Null);
        Assert.That(provider.RefreshRejectedAsync(provider.Current!, CancellationToken.None).Result, Is.Null);
    }

    private static double Samples(CredentialMetrics metrics, string source, string result) =>
        metrics.Refreshes.Samples()
            .Single(s => s.Labels.Contains(new Label("source", source)) && s.Labels.Contains(new Label("result", result))).Value;
}
