using System.Net;
using System.Text.Json;
using System.Text;
using DatahubExporter.Configuration;
using DatahubExporter.TencentCloud;
using TencentCloud.Signing;

namespace DatahubExporter.Tests.TencentCloud;

public class TencentCloudClientTests
{
    private const string SecretId = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
    private const string SecretKey = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";
    private const string Token = "temporary-token-value-123";
    private const string Action = "DescribeDatahubTasks";
    private static readonly byte[] Body = "{\"Limit\":100,\"Offset\":0}"u8.ToArray();

    private static ApiTarget Target(string endpoint = "https://ckafka.ap-guangzhou.tencentcloudapi.com", string? token = null) =>
        new("ap-guangzhou", new Uri(endpoint), new Credentials(SecretId, SecretKey, token));

    private sealed record Setup(TencentCloudClient Client, FakeHandler Handler, RecordingObserver Observer, TimerRecordingTime Time);

    private static Setup Create(Func<int, RecordedRequest, HttpResponseMessage> respond, TencentCloudClientOptions? options = null, DateTimeOffset? start = null)
    {
        var time = new TimerRecordingTime(start ?? TimerRecordingTime.DefaultStart) { AutoFireWithin = TimeSpan.FromSeconds(10) };
        var handler = new FakeHandler(respond, time);
        var observer = new RecordingObserver();
        var client = new TencentCloudClient(new HttpClient(handler), options ?? new TencentCloudClientOptions { RateLimitPerSecond = 0 }, observer, time);
        return new Setup(client, handler, observer, time);
    }

    /// <summary>A client whose API never answers; <c>started</c> completes when the first request arrived.</summary>
    private static (Setup Setup, TaskCompletionSource Started) CreateHanging(TencentCloudClientOptions options)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var setup = CreateAsync(async (_, _, ct) =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            return FakeHandler.Ok();
        }, options);
        return (setup, started);
    }

    private static Setup CreateAsync(Func<int, RecordedRequest, CancellationToken, Task<HttpResponseMessage>> respond, TencentCloudClientOptions options, TimeProvider? realTime = null)
    {
        var time = new TimerRecordingTime();
        var handler = new FakeHandler(respond, time);
        var observer = new RecordingObserver();
        var client = new TencentCloudClient(new HttpClient(handler), options, observer, realTime ?? time);
        return new Setup(client, handler, observer, time);
    }

    // ---- request shape ----

    [Test]
    public async Task Request_carries_every_common_header()
    {
        var s = Create((_, _) => FakeHandler.Ok());
        using var _ = await s.Client.CallAsync(Target(), Action, Body, CancellationToken.None);

        var r = s.Handler.Requests.Single();
        Assert.That(r.Method, Is.EqualTo(HttpMethod.Post));
        Assert.That(r.Uri, Is.EqualTo(new Uri("https://ckafka.ap-guangzhou.tencentcloudapi.com/")));
        Assert.That(r.Header("Host"), Is.EqualTo("ckafka.ap-guangzhou.tencentcloudapi.com"));
        Assert.That(r.Header("X-TC-Action"), Is.EqualTo(Action));
        Assert.That(r.Header("X-TC-Version"), Is.EqualTo("2019-08-19"));
        Assert.That(r.Header("X-TC-Timestamp"), Is.EqualTo(s.Time.GetUtcNow().ToUnixTimeSeconds().ToString()));
        Assert.That(r.Header("X-TC-Region"), Is.EqualTo("ap-guangzhou"));
        Assert.That(r.Header("X-TC-Language"), Is.EqualTo("en-US"));
        Assert.That(r.Header("X-TC-RequestClient"), Does.StartWith("datahub_exporter/"));
        Assert.That(r.Header("Authorization"), Does.StartWith("TC3-HMAC-SHA256 Credential=" + SecretId + "/"));
        Assert.That(r.Header("X-TC-Token"), Is.Null);
        Assert.That(r.Body, Is.EqualTo(Body));
    }

    [Test]
    public async Task Content_type_is_exactly_application_json_without_charset()
    {
        var s = Create((_, _) => FakeHandler.Ok());
        using var _ = await s.Client.CallAsync(Target(), Action, Body, CancellationToken.None);

        Assert.That(s.Handler.Requests.Single().RawContentType, Is.EqualTo("application/json"));
    }

    [Test]
    public async Task Authorization_verifies_against_the_headers_actually_sent()
    {
        var s = Create((_, _) => FakeHandler.Ok());
        using var _ = await s.Client.CallAsync(Target("http://127.0.0.1:9100"), Action, Body, CancellationToken.None);

        var r = s.Handler.Requests.Single();
        var expected = Tc3Signer.Authorization(SecretId, SecretKey, "ckafka", long.Parse(r.Header("X-TC-Timestamp")!),
            [new("content-type", r.RawContentType!), new("host", r.Header("Host")!)], r.Body);
        Assert.That(r.Header("Authorization"), Is.EqualTo(expected));
    }

    [Test]
    public async Task Authorization_matches_the_self_computed_ckafka_vector()
    {
        // tencent-cloud-api.md §1.3, extra ckafka vector: host ckafka.tencentcloudapi.com, timestamp 1551113065.
        var s = Create((_, _) => FakeHandler.Ok(), start: DateTimeOffset.FromUnixTimeSeconds(1551113065));
        using var _ = await s.Client.CallAsync(Target("https://ckafka.tencentcloudapi.com"), Action, Body, CancellationToken.None);

        Assert.That(s.Handler.Requests.Single().Header("Authorization"), Is.EqualTo(
            "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/ckafka/tc3_request, " +
            "SignedHeaders=content-type;host, Signature=4f5e076a8b1745b1011fe38d5e0a4fee351defd26cee29b055833bca5f761b94"));
    }

    [Test]
    public async Task Token_header_is_sent_only_with_a_token()
    {
        var s = Create((_, _) => FakeHandler.Ok());
        using (await s.Client.CallAsync(Target(token: Token), Action, Body, CancellationToken.None)) { }
        using (await s.Client.CallAsync(Target(token: ""), Action, Body, CancellationToken.None)) { }
        using (await s.Client.CallAsync(Target(token: null), Action, Body, CancellationToken.None)) { }

        Assert.That(s.Handler.Requests.Select(r => r.Header("X-TC-Token")), Is.EqualTo(new[] { Token, null, null }));
    }

    [TestCase("http://127.0.0.1:9100", "127.0.0.1:9100", "http://127.0.0.1:9100/")]
    [TestCase("http://127.0.0.1:9100/some/path?x=1", "127.0.0.1:9100", "http://127.0.0.1:9100/")]
    [TestCase("https://ckafka.tencentcloudapi.com:8443", "ckafka.tencentcloudapi.com:8443", "https://ckafka.tencentcloudapi.com:8443/")]
    [TestCase("https://ckafka.tencentcloudapi.com:443", "ckafka.tencentcloudapi.com", "https://ckafka.tencentcloudapi.com/")]
    [TestCase("http://[::1]:8080", "[::1]:8080", "http://[::1]:8080/")]
    [TestCase("http://user:pass@127.0.0.1:9100/x", "127.0.0.1:9100", "http://127.0.0.1:9100/")]
    [TestCase("HTTPS://CKafka.TencentCloudAPI.com", "ckafka.tencentcloudapi.com", "https://ckafka.tencentcloudapi.com/")]
    public async Task Host_is_the_authority_connected_to_and_the_path_is_root(string endpoint, string host, string uri)
    {
        var s = Create((_, _) => FakeHandler.Ok());
        using var _ = await s.Client.CallAsync(Target(endpoint), Action, Body, CancellationToken.None);

        var r = s.Handler.Requests.Single();
        Assert.That(r.Header("Host"), Is.EqualTo(host));
        Assert.That(r.Uri!.AbsoluteUri, Is.EqualTo(uri));
    }

    [Test]
    public async Task Language_and_request_client_come_from_the_options()
    {
        var s = Create((_, _) => FakeHandler.Ok(), new TencentCloudClientOptions { RateLimitPerSecond = 0, Language = "zh-CN", RequestClient = "custom/1" });
        using var _ = await s.Client.CallAsync(Target(), Action, Body, CancellationToken.None);

        Assert.That(s.Handler.Requests.Single().Header("X-TC-Language"), Is.EqualTo("zh-CN"));
        Assert.That(s.Handler.Requests.Single().Header("X-TC-RequestClient"), Is.EqualTo("custom/1"));
    }

    [Test]
    public async Task Success_returns_the_object_inside_Response()
    {
        var s = Create((_, _) => FakeHandler.Json("{\"Other\":[1,{\"a\":2}],\"Response\":{\"Result\":{\"TotalCount\":3},\"RequestId\":\"r\"}}"));
        using var doc = await s.Client.CallAsync(Target(), Action, Body, CancellationToken.None);

        Assert.That(doc.RootElement.GetProperty("Result").GetProperty("TotalCount").GetInt32(), Is.EqualTo(3));
        Assert.That(s.Observer.Requests.Single().Code, Is.EqualTo("Success"));
        Assert.That(s.Observer.Requests.Single().Action, Is.EqualTo(Action));
        Assert.That(s.Observer.Requests.Single().Region, Is.EqualTo("ap-guangzhou"));
    }

    [Test]
    public async Task The_first_Response_is_read_in_place_and_is_gone_once_disposed()
    {
        var s = Create((_, _) => FakeHandler.Json("{\"Response\":{\"RequestId\":\"first\"},\"Response\":{\"RequestId\":\"second\"}}"));
        var answer = await s.Client.CallAsync(Target(), Action, Body, CancellationToken.None);
        Assert.That(answer.RootElement.GetProperty("RequestId").GetString(), Is.EqualTo("first"));

        // The document reads the pooled receive buffer, which goes back to the pool on disposal: nothing may read it after.
        answer.Dispose();
        Assert.That(() => answer.RootElement, Throws.InstanceOf<ObjectDisposedException>());
        Assert.That(answer.Dispose, Throws.Nothing);
    }

    [Test]
    public async Task A_null_Error_is_success()
    {
        var s = Create((_, _) => FakeHandler.Ok("\"Error\":null,\"RequestId\":\"r\""));
        using var doc = await s.Client.CallAsync(Target(), Action, Body, CancellationToken.None);

        Assert.That(doc.RootElement.GetProperty("RequestId").GetString(), Is.EqualTo("r"));
    }

    [Test]
    public void Each_attempt_builds_a_fresh_request_with_the_same_body()
    {
        var s = Create((_, _) => FakeHandler.ApiError("InternalError"));
        Assert.That(Assert.ThrowsAsync<TencentCloudException>(() => s.Client.CallAsync(Target(), Action, Body, CancellationToken.None))!.IsApiError, Is.True);

        Assert.That(s.Handler.Requests.Select(r => r.BodyText).Distinct(), Is.EqualTo(new[] { "{\"Limit\":100,\"Offset\":0}" }));
    }

    [TestCase("/relative")]
    [TestCase("ftp://ckafka.tencentcloudapi.com")]
    public void Endpoint_that_is_not_an_absolute_http_url_is_an_argument_error(string endpoint)
    {
        var s = Create((_, _) => FakeHandler.Ok());
        var target = new ApiTarget("ap-guangzhou", new Uri(endpoint, UriKind.RelativeOrAbsolute), new Credentials(SecretId, SecretKey, null));

        Assert.ThrowsAsync<ArgumentException>(() => s.Client.CallAsync(target, Action, Body, CancellationToken.None));
        Assert.That(s.Handler.Count, Is.EqualTo(0));
    }

    [Test]
    public void Region_that_cannot_be_a_header_is_an_argument_error()
    {
        var s = Create((_, _) => FakeHandler.Ok());
        var target = new ApiTarget("ap-guangzhou\r\nX-Evil: 1", new Uri("https://ckafka.tencentcloudapi.com"), new Credentials(SecretId, SecretKey, null));

        Assert.ThrowsAsync<ArgumentException>(() => s.Client.CallAsync(target, Action, Body, CancellationToken.None));
        Assert.That(s.Handler.Count, Is.EqualTo(0));
    }

    [Test]
    public void Token_that_cannot_be_a_header_is_rejected_without_showing_it()
    {
        var s = Create((_, _) => FakeHandler.Ok());
        var e = Assert.ThrowsAsync<ArgumentException>(() => s.Client.CallAsync(Target(token: "secret\ntoken"), Action, Body, CancellationToken.None));

        Assert.That(e!.Message, Does.Not.Contain("secret"));
    }

    // ---- error kinds ----

    [Test]
    public void Error_envelope_becomes_an_api_exception_with_code_message_and_request_id()
    {
        var s = Create((_, _) => FakeHandler.ApiError("AuthFailure.SecretIdNotFound", "The SecretId is not found.", "6ce3f5a2-1"));
        var e = Assert.ThrowsAsync<TencentCloudException>(() => s.Client.CallAsync(Target(), Action, Body, CancellationToken.None));
        Assert.That(e!.IsApiError, Is.True);

        Assert.That(e!.Code, Is.EqualTo("AuthFailure.SecretIdNotFound"));
        Assert.That(e.Message, Does.Contain("error AuthFailure.SecretIdNotFound: The SecretId is not found. (RequestId 6ce3f5a2-1)"));
        Assert.That(e.Action, Is.EqualTo(Action));
        Assert.That(e.Region, Is.EqualTo("ap-guangzhou"));
        Assert.That(e.Host, Is.EqualTo("ckafka.ap-guangzhou.tencentcloudapi.com"));
        Assert.That(e.Message, Does.Contain("AuthFailure.SecretIdNotFound").And.Contain("The SecretId is not found.").And.Contain("6ce3f5a2-1")
            .And.Contain(Action).And.Contain("ap-guangzhou").And.Contain("ckafka.ap-guangzhou.tencentcloudapi.com"));
        Assert.That(s.Observer.RequestCodes, Is.EqualTo(new[] { "AuthFailure.SecretIdNotFound" }));
    }

    [Test]
    public void Secrets_echoed_by_the_server_are_masked_in_the_message()
    {
        var s = Create((_, _) => FakeHandler.ApiError("AuthFailure.TokenFailure", $"bad key {SecretKey} and token {Token}", $"id-{Token}"));
        var e = Assert.ThrowsAsync<TencentCloudException>(() => s.Client.CallAsync(Target(token: Token), Action, Body, CancellationToken.None));
        Assert.That(e!.IsApiError, Is.True);

        Assert.That(e!.ToString(), Does.Not.Contain(SecretKey).And.Not.Contain(Token));
        Assert.That(e.Message, Does.Contain("bad key **** and token ****"));
    }

    [Test]
    public void Non_200_status_is_an_http_status_error_with_the_status()
    {
        var s = Create((_, _) => FakeHandler.Json("<html>bad gateway</html>", HttpStatusCode.BadGateway));
        var e = Assert.ThrowsAsync<TencentCloudException>(() => s.Client.CallAsync(Target(), Action, Body, CancellationToken.None));

        Assert.That(e!.Code, Is.EqualTo("HttpStatusError"));
        Assert.That(e.Message, Does.Contain("HTTP status 502 (BadGateway)"));
        Assert.That(e.Message, Does.Contain("502"));
        Assert.That(s.Handler.Count, Is.EqualTo(4));
    }

    [TestCase(HttpStatusCode.Created)]
    [TestCase(HttpStatusCode.NoContent)]
    [TestCase(HttpStatusCode.Unauthorized)]
    public void Any_status_but_200_is_an_error_even_with_a_valid_body(HttpStatusCode status)
    {
        var s = Create((_, _) => FakeHandler.Json("{\"Response\":{\"RequestId\":\"r\"}}", status));

        Assert.That(Assert.ThrowsAsync<TencentCloudException>(() => s.Client.CallAsync(Target(), Action, Body, CancellationToken.None))!.Code, Is.EqualTo("HttpStatusError"));
    }

    [TestCase("", TestName = "Empty_body_is_invalid")]
    [TestCase("not json at all", TestName = "Text_body_is_invalid")]
    [TestCase("<html></html>", TestName = "Html_body_is_invalid")]
    [TestCase("{\"Response\":{\"Result\":{\"TotalCount\":1}", TestName = "Truncated_body_is_invalid")]
    [TestCase("{\"Response\":{\"RequestId\":\"r\"}", TestName = "Body_cut_after_Response_is_invalid")]
    [TestCase("{\"Response\":{\"RequestId\":\"r\"}}garbage", TestName = "Trailing_garbage_is_invalid")]
    [TestCase("[1,2,3]", TestName = "Array_body_is_invalid")]
    [TestCase("\"Response\"", TestName = "String_body_is_invalid")]
    [TestCase("{}", TestName = "Empty_object_is_invalid")]
    [TestCase("{\"Foo\":{\"Response\":{}}}", TestName = "Nested_Response_only_is_invalid")]
    [TestCase("{\"Response\":null}", TestName = "Null_Response_is_invalid")]
    [TestCase("{\"Response\":\"ok\"}", TestName = "String_Response_is_invalid")]
    [TestCase("{\"Response\":[]}", TestName = "Array_Response_is_invalid")]
    [TestCase("{\"Response\":{\"Error\":{\"Message\":\"no code\"},\"RequestId\":\"r\"}}", TestName = "Error_without_code_is_invalid")]
    [TestCase("{\"Response\":{\"Error\":{\"Code\":42},\"RequestId\":\"r\"}}", TestName = "Error_with_numeric_code_is_invalid")]
    [TestCase("{\"Response\":{\"Error\":{\"Code\":\"bad code\\nx\"}}}", TestName = "Error_with_odd_characters_in_code_is_invalid")]
    [TestCase("{\"Response\":{\"Error\":\"oops\"}}", TestName = "Error_that_is_a_string_is_invalid")]
    public void Malformed_body_is_an_invalid_response_and_is_retried(string body)
    {
        var s = Create((_, _) => FakeHandler.Json(body));
        var e = Assert.ThrowsAsync<TencentCloudException>(() => s.Client.CallAsync(Target(), Action, Body, CancellationToken.None));

        Assert.That(e!.Code, Is.EqualTo("InvalidResponse"));
        Assert.That(e.IsRetryable, Is.True);
        Assert.That(s.Handler.Count, Is.EqualTo(4));
        Assert.That(s.Observer.RequestCodes, Is.All.EqualTo("InvalidResponse"));
    }

    [Test]
    public void Deeply_nested_body_is_an_invalid_response_not_a_crash()
    {
        var deep = "{\"Response\":" + new string('[', 5000) + new string(']', 5000) + "}";
        var s = Create((_, _) => FakeHandler.Json(deep));

        Assert.That(Assert.ThrowsAsync<TencentCloudException>(() => s.Client.CallAsync(Target(), Action, Body, CancellationToken.None))!.Code, Is.EqualTo("InvalidResponse"));
    }

    [Test]
    public void Legacy_error_shape_is_an_invalid_response_that_is_not_retried()
    {
        var s = Create((_, _) => FakeHandler.Json("{\"code\":4100,\"message\":\"authentication failed\",\"codeDesc\":\"AuthFailure\"}"));
        var e = Assert.ThrowsAsync<TencentCloudException>(() => s.Client.CallAsync(Target(), Action, Body, CancellationToken.None));
        Assert.That(e!.Code, Is.EqualTo("InvalidResponse"));

        Assert.That(e!.IsRetryable, Is.False);
        Assert.That(e.Message, Does.Contain("4100").And.Contain("authentication failed"));
        Assert.That(s.Handler.Count, Is.EqualTo(1));
    }

    [Test]
    public void Body_past_the_declared_limit_is_too_large_and_not_retried()
    {
        var options = new TencentCloudClientOptions { RateLimitPerSecond = 0, MaxResponseBytes = 1024 };
        var s = Create((_, _) => FakeHandler.Ok("\"Pad\":\"" + new string('x', 2000) + "\""), options);
        var e = Assert.ThrowsAsync<TencentCloudException>(() => s.Client.CallAsync(Target(), Action, Body, CancellationToken.None));

        Assert.That(e!.Code, Is.EqualTo("ResponseTooLarge"));
        Assert.That(e.Message, Does.Contain("limit of 1024 bytes"));
        Assert.That(s.Handler.Count, Is.EqualTo(1));
        Assert.That(s.Observer.RequestCodes, Is.EqualTo(new[] { "ResponseTooLarge" }));
    }

    [Test]
    public void Body_longer_than_its_content_length_is_still_capped()
    {
        var options = new TencentCloudClientOptions { RateLimitPerSecond = 0, MaxResponseBytes = 1024 };
        var s = Create((_, _) =>
        {
            var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("{\"Response\":{\"Pad\":\"" + new string('x', 5000) + "\"}}")));
            content.Headers.ContentLength = 10;
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
        }, options);

        Assert.That(Assert.ThrowsAsync<TencentCloudException>(() => s.Client.CallAsync(Target(), Action, Body, CancellationToken.None))!.Code, Is.EqualTo("ResponseTooLarge"));
    }

    [Test]
    public void Endless_body_without_length_is_cut_off_at_the_limit()
    {
        var options = new TencentCloudClientOptions { RateLimitPerSecond = 0, MaxResponseBytes = 64 * 1024 };
        var endless = new EndlessStream();
        var s = Create((_, _) => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(endless) }, options);

        Assert.That(Assert.ThrowsAsync<TencentCloudException>(() => s.Client.CallAsync(Target(), Action, Body, CancellationToken.None))!.Code, Is.EqualTo("ResponseTooLarge"));
        Assert.That(endless.BytesServed, Is.LessThan(64 * 1024 + 64 * 1024));
    }

    [Test]
    public async Task Body_of_exactly_the_limit_is_accepted()
    {
        var json = "{\"Response\":{\"RequestId\":\"r\"}}";
        var options = new TencentCloudClientOptions { RateLimitPerSecond = 0, MaxResponseBytes = json.Length + 100 };
        var s = Create((_, _) => FakeHandler.Json(json + new string(' ', 100)), options);
        using var doc = await s.Client.CallAsync(Target(), Action, Body, CancellationToken.None);

        Assert.That(doc.RootElement.GetProperty("RequestId").GetString(), Is.EqualTo("r"));
    }

    [Test]
    public void Connection_failure_is_a_network_error_and_is_retried()
    {
        var s = Create((_, _) => throw new HttpRequestException("Connection refused (127.0.0.1:9)", new IOException("refused")));
        var e = Assert.ThrowsAsync<TencentCloudException>(() => s.Client.CallAsync(Target(), Action, Body, CancellationToken.None));

        Assert.That(e!.Code, Is.EqualTo("NetworkError"));
        Assert.That(e.InnerException, Is.InstanceOf<HttpRequestException>());
        Assert.That(e.Message, Does.Contain("Connection refused"));
        Assert.That(s.Handler.Count, Is.EqualTo(4));
        Assert.That(s.Observer.RequestCodes, Is.EqualTo(Enumerable.Repeat("NetworkError", 4)));
    }

    [Test]
    public void Connection_reset_mid_body_is_a_network_error()
    {
        var s = Create((_, _) => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new FailingStream(new IOException("connection reset"))) });

        Assert.That(Assert.ThrowsAsync<TencentCloudException>(() => s.Client.CallAsync(Target(), Action, Body, CancellationToken.None))!.Code, Is.EqualTo("NetworkError"));
    }

    [Test]
    public void Corrupt_compressed_body_is_an_invalid_response()
    {
        var s = Create((_, _) => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new FailingStream(new InvalidDataException("bad gzip"))) });

        Assert.That(Assert.ThrowsAsync<TencentCloudException>(() => s.Client.CallAsync(Target(), Action, Body, CancellationToken.None))!.Code, Is.EqualTo("InvalidResponse"));
    }

    [Test]
    public void Attempt_timeout_is_a_timeout_error_and_is_retried()
    {
        // Real clock with a 20 ms attempt timeout: the handler never answers, so only the timeout can end each attempt.
        var options = new TencentCloudClientOptions
        {
            RateLimitPerSecond = 0, MaxAttempts = 2, AttemptTimeout = TimeSpan.FromMilliseconds(20),
            BaseBackoff = TimeSpan.FromMilliseconds(1), MaxBackoff = TimeSpan.FromMilliseconds(1),
        };
        var s = CreateAsync(async (_, _, ct) =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            return FakeHandler.Ok();
        }, options, TimeProvider.System);
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var e = Assert.ThrowsAsync<TencentCloudException>(() => s.Client.CallAsync(Target(), Action, Body, guard.Token));

        Assert.That(e!.Code, Is.EqualTo("Timeout"));
        Assert.That(guard.IsCancellationRequested, Is.False);
        Assert.That(s.Handler.Count, Is.EqualTo(2));
        Assert.That(s.Observer.RequestCodes, Is.EqualTo(new[] { "Timeout", "Timeout" }));
        Assert.That(s.Observer.Retries.Select(r => r.Code), Is.EqualTo(new[] { "Timeout" }));
    }

    [Test]
    public void Attempt_timeout_follows_the_time_provider()
    {
        var options = new TencentCloudClientOptions { RateLimitPerSecond = 0, MaxAttempts = 1, AttemptTimeout = TimeSpan.FromSeconds(30) };
        var (s, started) = CreateHanging(options);

        var call = s.Client.CallAsync(Target(), Action, Body, CancellationToken.None);
        Assert.That(started.Task.Wait(TimeSpan.FromSeconds(30)), Is.True);
        s.Time.Advance(TimeSpan.FromSeconds(29));
        Assert.That(call.IsCompleted, Is.False);
        s.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.That(Assert.ThrowsAsync<TencentCloudException>(() => call.WaitAsync(TimeSpan.FromSeconds(30)))!.Code, Is.EqualTo("Timeout"));
    }

    [Test]
    public void Caller_cancellation_during_the_first_attempt_is_an_operation_canceled()
    {
        var options = new TencentCloudClientOptions { RateLimitPerSecond = 0 };
        var (s, started) = CreateHanging(options);
        using var deadline = new CancellationTokenSource();

        var call = s.Client.CallAsync(Target(), Action, Body, deadline.Token);
        Assert.That(started.Task.Wait(TimeSpan.FromSeconds(30)), Is.True);
        deadline.Cancel();

        Assert.CatchAsync<OperationCanceledException>(() => call.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.That(s.Handler.Count, Is.EqualTo(1));
        Assert.That(s.Observer.RequestCodes, Is.EqualTo(new[] { "Timeout" }));
        Assert.That(s.Observer.Retries, Is.Empty);
    }

    [Test]
    public void Already_cancelled_token_sends_nothing()
    {
        var s = Create((_, _) => FakeHandler.Ok());

        Assert.CatchAsync<OperationCanceledException>(() => s.Client.CallAsync(Target(), Action, Body, new CancellationToken(true)));
        Assert.That(s.Handler.Count, Is.EqualTo(0));
    }

    [Test]
    public void Deadline_inside_a_backoff_stops_waiting_and_throws_the_last_error()
    {
        // Backoff timers on a manual clock never fire by themselves: only the caller's token can end the wait.
        var options = new TencentCloudClientOptions { RateLimitPerSecond = 0, BaseBackoff = TimeSpan.FromSeconds(5), MaxBackoff = TimeSpan.FromSeconds(5) };
        var s = CreateAsync((_, _, _) => Task.FromResult(FakeHandler.ApiError("RequestLimitExceeded")), options);
        using var deadline = new CancellationTokenSource();
        var backoffStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // The attempt timer is 30 s; any other timer is the backoff.
        s.Time.TimerCreated += due =>
        {
            if (due != TimeSpan.FromSeconds(30))
            {
                backoffStarted.TrySetResult();
            }
        };

        var call = s.Client.CallAsync(Target(), Action, Body, deadline.Token);
        Assert.That(backoffStarted.Task.Wait(TimeSpan.FromSeconds(30)), Is.True);
        deadline.Cancel();

        var e = Assert.ThrowsAsync<TencentCloudException>(() => call.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.That(e!.IsApiError, Is.True);
        Assert.That(e!.Code, Is.EqualTo("RequestLimitExceeded"));
        Assert.That(s.Handler.Count, Is.EqualTo(1));
        Assert.That(s.Observer.Retries, Is.Empty);
    }

    [Test]
    public void Deadline_during_a_retry_throws_the_previous_error()
    {
        var options = new TencentCloudClientOptions { RateLimitPerSecond = 0, BaseBackoff = TimeSpan.Zero };
        using var deadline = new CancellationTokenSource();
        var s = CreateAsync(async (n, _, ct) =>
        {
            if (n == 0)
            {
                return FakeHandler.ApiError("InternalError");
            }
            deadline.Cancel();
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            return FakeHandler.Ok();
        }, options);

        var e = Assert.ThrowsAsync<TencentCloudException>(() => s.Client.CallAsync(Target(), Action, Body, deadline.Token).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.That(e!.IsApiError, Is.True);
        Assert.That(e!.Code, Is.EqualTo("InternalError"));
        Assert.That(s.Handler.Count, Is.EqualTo(2));
    }

    [Test]
    public void Exception_messages_never_contain_the_secret_key_or_token()
    {
        var cases = new Func<int, RecordedRequest, HttpResponseMessage>[]
        {
            (_, _) => FakeHandler.ApiError("AuthFailure.SignatureFailure"),
            (_, _) => FakeHandler.Json("oops", HttpStatusCode.InternalServerError),
            (_, _) => FakeHandler.Json("oops"),
            (_, _) => FakeHandler.Json("{\"code\":4100,\"message\":\"m\"}"),
            (_, _) => throw new HttpRequestException("refused"),
        };
        foreach (var respond in cases)
        {
            var s = Create(respond);
            var e = Assert.CatchAsync<TencentCloudException>(() => s.Client.CallAsync(Target(token: Token), Action, Body, CancellationToken.None));
            Assert.That(e!.ToString(), Does.Not.Contain(SecretKey).And.Not.Contain(Token));
            Assert.That(e.Message, Does.Contain(Action).And.Contain("ap-guangzhou").And.Contain("ckafka.ap-guangzhou.tencentcloudapi.com"));
        }
    }

    [Test]
    public void Created_http_client_has_no_overall_timeout()
    {
        using var http = ApiHttp.Create();

        Assert.That(http.Client.Timeout, Is.EqualTo(Timeout.InfiniteTimeSpan));
    }

    private sealed class EndlessStream : ReadOnlyStream
    {
        public long BytesServed;

        public override int Read(byte[] buffer, int offset, int count)
        {
            Array.Fill(buffer, (byte)' ', offset, count);
            BytesServed += count;
            return count;
        }
    }

    private sealed class FailingStream(Exception failure) : ReadOnlyStream
    {
        private bool _servedPrefix;

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (!_servedPrefix)
            {
                _servedPrefix = true;
                var prefix = "{\"Response\":{"u8;
                prefix.CopyTo(buffer.AsSpan(offset));
                return prefix.Length;
            }
            throw failure;
        }
    }

    /// <summary>A forward-only stream whose subclasses say what a read returns.</summary>
    private abstract class ReadOnlyStream : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
