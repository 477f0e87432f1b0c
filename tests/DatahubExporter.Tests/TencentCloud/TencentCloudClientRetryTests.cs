using System.Net;
using DatahubExporter.Configuration;
using DatahubExporter.TencentCloud;
using TencentCloud.Signing;

namespace DatahubExporter.Tests.TencentCloud;

/// <summary>Which failures are retried and how (tencent-cloud-api.md §4.4). Backoffs run on a manual clock
/// that fires them at once, so these tests take no real time.</summary>
public class TencentCloudClientRetryTests
{
    private const string Action = "DescribeConnectResources";
    private static readonly byte[] Body = "{\"Limit\":100,\"Offset\":0}"u8.ToArray();
    private static readonly ApiTarget Target = new("ap-shanghai", new Uri("https://ckafka.ap-shanghai.tencentcloudapi.com"), new Credentials("AKIDexample0001", "key-0001", null));

    private static (TencentCloudClient Client, FakeHandler Handler, RecordingObserver Observer, TimerRecordingTime Time) Create(
        Func<int, RecordedRequest, HttpResponseMessage> respond, int maxAttempts = 4)
    {
        var time = new TimerRecordingTime { AutoFireWithin = TimeSpan.FromSeconds(10) };
        var handler = new FakeHandler(respond, time);
        var observer = new RecordingObserver();
        var options = new TencentCloudClientOptions { RateLimitPerSecond = 0, MaxAttempts = maxAttempts };
        return (new TencentCloudClient(new HttpClient(handler), options, observer, time), handler, observer, time);
    }

    [TestCase("RequestLimitExceeded", 4)]
    [TestCase("RequestLimitExceeded.UinLimitExceeded", 4)]
    [TestCase("RequestLimitExceeded.IPLimitExceeded", 4)]
    [TestCase("RequestLimitExceeded.GlobalRegionUinLimitExceeded", 4)]
    [TestCase("InternalError", 4)]
    [TestCase("InternalError.ErrorBackend", 4)]
    [TestCase("ServiceUnavailable", 4)]
    [TestCase("ResourceUnavailable", 4)]
    [TestCase("AuthFailure.SignatureExpire", 2)]
    [TestCase("AuthFailure.SignatureFailure", 1)]
    [TestCase("AuthFailure.SecretIdNotFound", 1)]
    [TestCase("AuthFailure.TokenFailure", 1)]
    [TestCase("AuthFailure.UnauthorizedOperation", 1)]
    [TestCase("UnauthorizedOperation", 1)]
    [TestCase("InvalidParameter", 1)]
    [TestCase("InvalidParameterValue", 1)]
    [TestCase("InvalidParameterValue.InstanceNotExist", 1)]
    [TestCase("MissingParameter", 1)]
    [TestCase("UnknownParameter", 1)]
    [TestCase("InvalidAction", 1)]
    [TestCase("NoSuchVersion", 1)]
    [TestCase("UnsupportedRegion", 1)]
    [TestCase("ResourceNotFound", 1)]
    [TestCase("FailedOperation", 1)]
    [TestCase("RequestSizeLimitExceeded", 1)]
    [TestCase("RequestLimitExceededSoon", 1)]
    [TestCase("ResourceUnavailable.KafkaStorageError", 1)]
    public void Api_error_is_attempted_this_many_times(string code, int attempts)
    {
        var c = Create((_, _) => FakeHandler.ApiError(code));
        var e = Assert.ThrowsAsync<TencentCloudException>(() => c.Client.CallAsync(Target, Action, Body, CancellationToken.None));
        Assert.That(e!.IsApiError, Is.True);

        Assert.That(e!.Code, Is.EqualTo(code));
        Assert.That(c.Handler.Count, Is.EqualTo(attempts));
        Assert.That(c.Observer.RequestCodes, Is.EqualTo(Enumerable.Repeat(code, attempts)));
        Assert.That(c.Observer.Retries, Is.EqualTo(Enumerable.Repeat((Action, "ap-shanghai", code), attempts - 1)));
    }

    [Test]
    public async Task Retryable_errors_then_success_returns_the_answer()
    {
        var c = Create((n, _) => n switch
        {
            0 => FakeHandler.ApiError("RequestLimitExceeded"),
            1 => FakeHandler.Json("", HttpStatusCode.ServiceUnavailable),
            _ => FakeHandler.Ok("\"RequestId\":\"third\""),
        });
        using var doc = await c.Client.CallAsync(Target, Action, Body, CancellationToken.None);

        Assert.That(doc.RootElement.GetProperty("RequestId").GetString(), Is.EqualTo("third"));
        Assert.That(c.Observer.RequestCodes, Is.EqualTo(new[] { "RequestLimitExceeded", "HttpStatusError", "Success" }));
        Assert.That(c.Observer.Retries.Select(r => r.Code), Is.EqualTo(new[] { "RequestLimitExceeded", "HttpStatusError" }));
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(6)]
    public void Max_attempts_bounds_the_attempts(int maxAttempts)
    {
        var c = Create((_, _) => FakeHandler.ApiError("InternalError"), maxAttempts);

        Assert.That(Assert.ThrowsAsync<TencentCloudException>(() => c.Client.CallAsync(Target, Action, Body, CancellationToken.None))!.IsApiError, Is.True);
        Assert.That(c.Handler.Count, Is.EqualTo(maxAttempts));
    }

    [Test]
    public void Zero_max_attempts_still_makes_one_attempt()
    {
        var c = Create((_, _) => FakeHandler.ApiError("InternalError"), 0);

        Assert.That(Assert.ThrowsAsync<TencentCloudException>(() => c.Client.CallAsync(Target, Action, Body, CancellationToken.None))!.IsApiError, Is.True);
        Assert.That(c.Handler.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task Signature_expiry_is_retried_once_immediately_with_a_fresh_timestamp()
    {
        TimerRecordingTime? clock = null;
        var c = Create((n, _) =>
        {
            if (n == 0)
            {
                // The clock moves on while the first answer travels, so the retry must carry a new timestamp.
                clock!.Advance(TimeSpan.FromSeconds(7));
                return FakeHandler.ApiError("AuthFailure.SignatureExpire");
            }
            return FakeHandler.Ok();
        });
        clock = c.Time;
        using var _ = await c.Client.CallAsync(Target, Action, Body, CancellationToken.None);

        var requests = c.Handler.Requests;
        Assert.That(requests, Has.Count.EqualTo(2));
        Assert.That(long.Parse(requests[1].Header("X-TC-Timestamp")!) - long.Parse(requests[0].Header("X-TC-Timestamp")!), Is.EqualTo(7));
        Assert.That(requests[1].Header("Authorization"), Is.Not.EqualTo(requests[0].Header("Authorization")));
        // No backoff timer: only the two 30 s attempt timers were created.
        Assert.That(c.Time.CreatedTimers, Is.All.EqualTo(TimeSpan.FromSeconds(30)));
    }

    [Test]
    public void Signature_expiry_is_retried_only_once_even_among_other_retries()
    {
        var c = Create((n, _) => n switch
        {
            0 => FakeHandler.ApiError("AuthFailure.SignatureExpire"),
            1 => FakeHandler.ApiError("InternalError"),
            _ => FakeHandler.ApiError("AuthFailure.SignatureExpire"),
        });
        var e = Assert.ThrowsAsync<TencentCloudException>(() => c.Client.CallAsync(Target, Action, Body, CancellationToken.None));
        Assert.That(e!.IsApiError, Is.True);

        Assert.That(e!.Code, Is.EqualTo("AuthFailure.SignatureExpire"));
        Assert.That(c.Handler.Count, Is.EqualTo(3));
    }

    [Test]
    public void Every_retry_is_signed_with_the_time_it_is_sent()
    {
        var c = Create((_, _) => FakeHandler.ApiError("InternalError"));
        Assert.That(Assert.ThrowsAsync<TencentCloudException>(() => c.Client.CallAsync(Target, Action, Body, CancellationToken.None))!.IsApiError, Is.True);

        foreach (var r in c.Handler.Requests)
        {
            Assert.That(long.Parse(r.Header("X-TC-Timestamp")!), Is.EqualTo(r.At.ToUnixTimeSeconds()));
            var expected = Tc3Signer.Authorization("AKIDexample0001", "key-0001", "ckafka", r.At.ToUnixTimeSeconds(),
                [new("content-type", "application/json"), new("host", "ckafka.ap-shanghai.tencentcloudapi.com")], r.Body);
            Assert.That(r.Header("Authorization"), Is.EqualTo(expected));
        }
    }

    [Test]
    public void Backoffs_stay_under_the_cap()
    {
        var c = Create((_, _) => FakeHandler.ApiError("RequestLimitExceeded"), maxAttempts: 8);
        Assert.That(Assert.ThrowsAsync<TencentCloudException>(() => c.Client.CallAsync(Target, Action, Body, CancellationToken.None))!.IsApiError, Is.True);

        var backoffs = c.Time.CreatedTimers.Where(t => t != TimeSpan.FromSeconds(30)).ToList();
        Assert.That(backoffs, Has.Count.LessThanOrEqualTo(7));
        Assert.That(backoffs, Is.All.LessThanOrEqualTo(TimeSpan.FromSeconds(5)));
    }

    [TestCase(0, 0.999, 199.8)]
    [TestCase(1, 0.999, 399.6)]
    [TestCase(3, 0.5, 800)]
    [TestCase(5, 1.0, 5000)]
    [TestCase(40, 1.0, 5000)]
    [TestCase(2, 0.0, 0)]
    public void Backoff_is_full_jitter_over_a_capped_exponential(int retry, double unit, double expectedMs)
    {
        var delay = TencentCloudClient.Backoff(retry, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5), unit);

        Assert.That(delay.TotalMilliseconds, Is.EqualTo(expectedMs).Within(0.01));
    }

    [Test]
    public void Zero_base_backoff_means_no_wait()
    {
        Assert.That(TencentCloudClient.Backoff(3, TimeSpan.Zero, TimeSpan.FromSeconds(5), 0.7), Is.EqualTo(TimeSpan.Zero));
    }

    [TestCase("RequestLimitExceeded", true)]
    [TestCase("RequestLimitExceeded.UinLimitExceeded", true)]
    [TestCase("InternalError.DbError", true)]
    [TestCase("ServiceUnavailable", true)]
    [TestCase("ResourceUnavailable", true)]
    [TestCase("AuthFailure.SignatureExpire", true)]
    [TestCase("AuthFailure.SignatureFailure", false)]
    [TestCase("InvalidParameter", false)]
    [TestCase("RequestSizeLimitExceeded", false)]
    [TestCase("InternalErrors", false)]
    [TestCase("", false)]
    public void Retryable_codes_follow_the_spec_table(string code, bool retryable)
    {
        Assert.That(TencentCloudException.IsRetryableCode(code), Is.EqualTo(retryable));
    }
}
