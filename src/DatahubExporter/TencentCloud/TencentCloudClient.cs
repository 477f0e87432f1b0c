using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.ExceptionServices;
using System.Text;
using System.Text.Json;
using DatahubExporter.Configuration;
using DatahubExporter.TencentCloud.CredentialSources;
using DatahubExporter.Telemetry;

namespace DatahubExporter.TencentCloud;

/// <summary>
/// Signed POSTs to the Tencent Cloud API 3.0 (service <c>ckafka</c>, version 2019-08-19): signing
/// (tencent-cloud-api.md §1), the error envelope (§4.1), retries (§4.4), a client-side rate limiter (§5)
/// and a cap on the response size. Thread-safe; one instance serves every region and action.
/// </summary>
/// <remarks>
/// Failure behaviour of <see cref="CallAsync"/>: it throws a <see cref="TencentCloudException"/> describing
/// the last attempt once attempts run out or the error is not retryable. When the caller's token is
/// cancelled (the scrape deadline), it throws <see cref="OperationCanceledException"/> if no attempt has
/// failed yet, and otherwise the last attempt's <see cref="TencentCloudException"/>, which says more about
/// why the deadline was missed than "cancelled" does. It never waits past that token. An attempt cut off
/// by the caller's token is reported to the observer with code <c>Timeout</c>, like one cut off by
/// <see cref="TencentCloudClientOptions.AttemptTimeout"/>: either way the API did not answer in time.
/// Each attempt signs with the keys the target's credential provider holds at that moment; temporary keys
/// the API rejects (<c>AuthFailure.TokenFailure</c>, <c>SecretIdNotFound</c>, <c>InvalidSecretId</c>) get one
/// shared refresh and one immediate retry, outside the attempt count. No keys at all is a
/// <see cref="TencentCloudException"/> with code <c>CredentialError</c> before any request.
/// Create one instance per process: the rate limiter lives in it.
/// The <see cref="HttpClient"/> passed in must decode gzip itself (see <see cref="CreateHttpClient"/>);
/// this class only ever sees decoded bytes.
/// </remarks>
internal sealed class TencentCloudClient(HttpClient http, TencentCloudClientOptions options, IApiObserver observer, TimeProvider time)
{
    public const string Service = "ckafka";
    public const string ApiVersion = "2019-08-19";

    // Exactly what is signed and exactly what is sent (§1.1 step 2): no charset, or the signature breaks.
    private const string JsonContentType = "application/json";
    private const int MaxMessageChars = 512;

    private readonly RequestRateLimiter _limiter = new(options.RateLimitPerSecond, time, options.RateLimitWindowGuard);

    /// <summary>
    /// The one process-wide client: pooled connections renewed every 5 minutes so DNS changes are seen
    /// (as the .NET SDK does, §7), gzip/deflate/brotli decoded by the handler, and no
    /// <see cref="HttpClient.Timeout"/> because every deadline comes from a token.
    /// </summary>
    public static HttpClient CreateHttpClient() =>
        new(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            AutomaticDecompression = DecompressionMethods.All,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            AllowAutoRedirect = false,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };

    /// <summary>
    /// Calls <paramref name="action"/> with the JSON <paramref name="body"/> and returns the object inside
    /// <c>Response</c> (the caller disposes it). Every attempt waits for the limiter, is signed afresh with
    /// the current timestamp and reported to the observer. See the class remarks for failures.
    /// </summary>
    /// <exception cref="ArgumentException">The endpoint is not an absolute http(s) URL, or the action,
    /// region, token or options cannot be sent as headers.</exception>
    public async Task<ApiResponse> CallAsync(ApiTarget target, string action, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(target.Credentials);
        var endpoint = target.Endpoint ?? throw new ArgumentException("The target has no endpoint.", nameof(target));
        if (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttps && endpoint.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException($"The endpoint {endpoint} is not an absolute http or https URL.", nameof(target));
        }
        RequireHeaderValue(action, nameof(action), "action");
        RequireHeaderValue(target.Region, nameof(target), "region");

        // Any path, query or user info in the endpoint is dropped: the canonical URI is always "/" (§2.1).
        // Credentials are filled in at each attempt, before anything reads them.
        var call = new Call(target, action, endpoint.Authority, new Uri($"{endpoint.Scheme}://{endpoint.Authority}/"), null!);
        var maxAttempts = Math.Max(1, options.MaxAttempts);
        TencentCloudException? last = null;
        var resigned = false;
        var renewedCredentials = false;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                cancellationToken.ThrowIfCancellationRequested();
                // The keys in force now: a role source may have refreshed them since the last attempt.
                call = call with { Credentials = await CurrentCredentialsAsync(call, cancellationToken).ConfigureAwait(false) };
                // Tencent counts the limit per action and the gateway a request reaches (§5): the host, which is the
                // region with the default regional hosts, but shared by every region behind one endpoint override.
                var waited = await _limiter.WaitAsync(action, call.Host, cancellationToken).ConfigureAwait(false);
                if (waited > TimeSpan.Zero)
                {
                    observer.LimiterWaited(action, target.Region, waited.TotalSeconds);
                }
                return await AttemptAsync(call, body, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && last is not null)
            {
                ExceptionDispatchInfo.Throw(last);
            }
            catch (TencentCloudException e)
            {
                last = e;
                var retry = e.IsRetryable;
                var backOff = true;
                if (e is { IsApiError: true, Code: "AuthFailure.TokenFailure" or "AuthFailure.SecretIdNotFound" or "AuthFailure.InvalidSecretId" }
                    && !renewedCredentials && call.Credentials.Token is not null)
                {
                    // Temporary keys revoked or expired early (§4.4): one shared refresh, then one immediate retry
                    // that does not count against the attempts.
                    renewedCredentials = true;
                    Credentials? renewed;
                    try
                    {
                        renewed = await target.Credentials.RefreshRejectedAsync(call.Credentials, cancellationToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                    {
                        ExceptionDispatchInfo.Throw(e);
                        throw;
                    }
                    if (renewed is not null)
                    {
                        observer.Retrying(action, target.Region, e.Code);
                        attempt--;
                        continue;
                    }
                }
                if (e.IsSignatureExpired)
                {
                    // A fresh timestamp is the only fix a client can try (§4.4); a second expiry means the clock is off.
                    retry = !resigned;
                    resigned = true;
                    backOff = false;
                }
                var refused = e.IsRateLimited;
                if (refused)
                {
                    // Someone else shares the key (a console, a script): slow this key down for a while, and let the
                    // API's one-second window pass before the retry (§5). The limiter holds the retry back.
                    _limiter.Refused(action, call.Host);
                    backOff = !_limiter.IsEnabled;
                }
                if (!retry || attempt >= maxAttempts)
                {
                    throw;
                }
                if (backOff)
                {
                    var delay = refused
                        ? RequestRateLimiter.RefusalWindow
                        : Backoff(attempt - 1, options.BaseBackoff, options.MaxBackoff, Random.Shared.NextDouble());
                    try
                    {
                        await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                    {
                        // The deadline fell inside the backoff: the last error is the honest answer.
                        ExceptionDispatchInfo.Throw(e);
                    }
                }
                observer.Retrying(action, target.Region, e.Code);
            }
        }
    }

    /// <summary>The client-side rate of every (action, API host) used so far, in requests per second: the
    /// configured rate, or less for a while after the API answered <c>RequestLimitExceeded</c>. Empty when the
    /// limiter is off.</summary>
    public IReadOnlyList<(string Action, string Host, double Rate)> RateLimits() => _limiter.Rates();

    /// <summary>Full-jitter capped exponential backoff: <paramref name="unit"/> in [0, 1) scales
    /// min(max, base·2^retry). Pure, for the tests.</summary>
    internal static TimeSpan Backoff(int retry, TimeSpan baseBackoff, TimeSpan maxBackoff, double unit)
    {
        if (baseBackoff <= TimeSpan.Zero || maxBackoff <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }
        var ceiling = Math.Min(maxBackoff.TotalMilliseconds, baseBackoff.TotalMilliseconds * Math.Pow(2, Math.Clamp(retry, 0, 30)));
        return TimeSpan.FromMilliseconds(ceiling * Math.Clamp(unit, 0, 1));
    }

    private static async Task<Credentials> CurrentCredentialsAsync(Call call, CancellationToken cancellationToken)
    {
        Credentials credentials;
        try
        {
            credentials = await call.Target.Credentials.GetAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (CredentialException e)
        {
            throw TencentCloudException.Credential(call.Action, call.Region, call.Host, e);
        }
        RequireHeaderValue(credentials.SecretId, "target", "SecretId", showValue: false);
        if (!string.IsNullOrEmpty(credentials.Token))
        {
            RequireHeaderValue(credentials.Token, "target", "token", showValue: false);
        }
        return credentials;
    }

    private async Task<ApiResponse> AttemptAsync(Call call, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var code = "Success";
        using var attemptTimeout = options.AttemptTimeout > TimeSpan.Zero && options.AttemptTimeout.TotalMilliseconds < int.MaxValue
            ? new CancellationTokenSource(options.AttemptTimeout, time)
            : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, attemptTimeout.Token);
        try
        {
            using var request = BuildRequest(call, body);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw TencentCloudException.HttpStatus(call.Action, call.Region, call.Host, response.StatusCode);
            }
            var (buffer, length) = await ReadBoundedAsync(call, response.Content, linked.Token).ConfigureAwait(false);
            ApiResponse? answer = null;
            try
            {
                // The answer reads the buffer in place and returns it to the pool when disposed; on any failure
                // it goes back here.
                answer = Parse(call, buffer, length);
                return answer;
            }
            finally
            {
                if (answer is null)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        catch (TencentCloudException e)
        {
            code = e.Code;
            throw;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The caller's deadline, not ours: counted as a timeout of this attempt, surfaced as cancellation.
            code = TencentCloudException.TimeoutCode;
            throw;
        }
        catch (OperationCanceledException e)
        {
            // Our attempt timer, or an HttpClient.Timeout set by whoever built the HttpClient.
            code = TencentCloudException.TimeoutCode;
            throw TencentCloudException.Timeout(call.Action, call.Region, call.Host, options.AttemptTimeout, e);
        }
        catch (HttpRequestException e)
        {
            code = TencentCloudException.NetworkErrorCode;
            throw TencentCloudException.Network(call.Action, call.Region, call.Host, e);
        }
        catch (IOException e)
        {
            // The connection failed while the body was streaming (HttpIOException is an IOException).
            code = TencentCloudException.NetworkErrorCode;
            throw TencentCloudException.Network(call.Action, call.Region, call.Host, e);
        }
        catch (InvalidDataException e)
        {
            // A corrupt gzip/deflate stream, reported by the decompressing handler.
            code = TencentCloudException.InvalidResponseCode;
            throw Invalid(call, "body could not be decoded: " + e.Message, inner: e);
        }
        finally
        {
            observer.RequestCompleted(call.Action, call.Region, code, time.GetElapsedTime(started).TotalSeconds);
        }
    }

    private HttpRequestMessage BuildRequest(Call call, ReadOnlyMemory<byte> body)
    {
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        var credentials = call.Credentials;
        KeyValuePair<string, string>[] signed = [new("content-type", JsonContentType), new("host", call.Host)];
        var authorization = Tc3Signer.Authorization(credentials.SecretId, credentials.SecretKey, Service, timestamp, signed, body.Span);

        var request = new HttpRequestMessage(HttpMethod.Post, call.RequestUri)
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrHigher,
        };
        var content = new ReadOnlyMemoryContent(body);
        // MediaTypeHeaderValue without a charset serialises as exactly "application/json".
        content.Headers.ContentType = new MediaTypeHeaderValue(JsonContentType);
        request.Content = content;
        var headers = request.Headers;
        headers.Host = call.Host;
        // AuthenticationHeaderValue would re-format the value (§1.1 step 5); send it untouched.
        headers.TryAddWithoutValidation("Authorization", authorization);
        headers.TryAddWithoutValidation("X-TC-Action", call.Action);
        headers.TryAddWithoutValidation("X-TC-Version", ApiVersion);
        headers.TryAddWithoutValidation("X-TC-Timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        headers.TryAddWithoutValidation("X-TC-Region", call.Region);
        if (!string.IsNullOrEmpty(options.Language))
        {
            headers.TryAddWithoutValidation("X-TC-Language", options.Language);
        }
        if (!string.IsNullOrEmpty(options.RequestClient))
        {
            headers.TryAddWithoutValidation("X-TC-RequestClient", options.RequestClient);
        }
        if (!string.IsNullOrEmpty(credentials.Token))
        {
            // Only with temporary credentials (§1.2); an empty header would make the server try to use it.
            headers.TryAddWithoutValidation("X-TC-Token", credentials.Token);
        }
        return request;
    }

    /// <summary>
    /// Reads the decoded body into a buffer rented from the shared pool (the caller returns it), failing as
    /// soon as it passes <see cref="TencentCloudClientOptions.MaxResponseBytes"/>. Content-Length is only a
    /// shortcut for refusing early: it is absent when the handler decompresses, and may lie. Pooled because a
    /// page of 100 tasks is ~120 KB: a fresh array per page would land on the large-object heap every time.
    /// </summary>
    private async Task<(byte[] Buffer, int Length)> ReadBoundedAsync(Call call, HttpContent content, CancellationToken cancellationToken)
    {
        var limit = (int)Math.Min(Math.Max(0, options.MaxResponseBytes), Array.MaxLength - 1);
        if (content.Headers.ContentLength is long declared && declared > limit)
        {
            throw TencentCloudException.ResponseTooLarge(call.Action, call.Region, call.Host, limit);
        }
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var initial = (int)Math.Min(limit + 1L, content.Headers.ContentLength is long hint ? hint + 1 : 16 * 1024);
            var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initial, 256));
            var length = 0;
            try
            {
                while (true)
                {
                    // Never read past limit + 1 bytes, however large the rented array is.
                    var capacity = (int)Math.Min(buffer.Length, limit + 1L);
                    if (length == capacity)
                    {
                        var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min(buffer.Length * 2L, limit + 1L));
                        buffer.AsSpan(0, length).CopyTo(bigger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                        capacity = (int)Math.Min(buffer.Length, limit + 1L);
                    }
                    var read = await stream.ReadAsync(buffer.AsMemory(length, capacity - length), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        return (buffer, length);
                    }
                    length += read;
                    if (length > limit)
                    {
                        throw TencentCloudException.ResponseTooLarge(call.Action, call.Region, call.Host, limit);
                    }
                }
            }
            catch
            {
                ArrayPool<byte>.Shared.Return(buffer);
                throw;
            }
        }
    }

    /// <summary>Unwraps <c>{"Response":{...}}</c> (§4.1): the Response object on success, an exception for the
    /// Error envelope, the legacy shape or anything else. A first pass with the reader checks the whole body and
    /// finds the first <c>Response</c> value; only that slice of <paramref name="buffer"/> becomes a document,
    /// read in place (no copy). On success the returned answer owns <paramref name="buffer"/>; on failure the
    /// caller still does.</summary>
    private ApiResponse Parse(Call call, byte[] buffer, int length)
    {
        var bytes = buffer.AsMemory(0, length);
        JsonDocument? response = null;
        var responseStart = -1L;
        var responseEnd = -1L;
        long? legacyCode = null;
        string? legacyMessage = null;
        try
        {
            var reader = new Utf8JsonReader(bytes.Span, new JsonReaderOptions { MaxDepth = 128 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw Invalid(call, bytes.Length == 0 ? "empty body" : "the body is not a JSON object");
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("Response"u8) && responseStart < 0)
                {
                    reader.Read();
                    responseStart = reader.TokenStartIndex;
                    reader.Skip();
                    responseEnd = reader.BytesConsumed;
                }
                else if (reader.ValueTextEquals("code"u8))
                {
                    reader.Read();
                    legacyCode = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var c) ? c : legacyCode;
                    reader.Skip();
                }
                else if (reader.ValueTextEquals("message"u8))
                {
                    reader.Read();
                    legacyMessage = reader.TokenType == JsonTokenType.String ? reader.GetString() : legacyMessage;
                    reader.Skip();
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            // Reading on to the end is what catches a body cut off after the Response object.
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                throw Invalid(call, "unexpected content after the top-level object");
            }
            if (responseStart >= 0)
            {
                // Already checked by the pass above (depth included), so this cannot fail on the same bytes.
                response = JsonDocument.Parse(bytes[(int)responseStart..(int)responseEnd], new JsonDocumentOptions { MaxDepth = 128 });
            }
        }
        catch (JsonException e)
        {
            response?.Dispose();
            throw Invalid(call, $"not valid JSON ({e.Message})", inner: e);
        }
        catch (TencentCloudException)
        {
            response?.Dispose();
            throw;
        }

        if (response is null)
        {
            if (legacyCode is long code)
            {
                // The pre-3.0 API answered {"code":<int>,"message":...} (§4.1). Not an API 3.0 error code, so it
                // must not become a label value; reported as InvalidResponse and not retried.
                throw Invalid(call, FormattableString.Invariant($"legacy API error {code}: {Clean(call, legacyMessage ?? "")}"), retryable: false);
            }
            throw Invalid(call, "no Response object");
        }
        var root = response.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            var kind = root.ValueKind;
            response.Dispose();
            throw Invalid(call, $"Response is {kind}, not an object");
        }
        if (root.TryGetProperty("Error", out var error) && error.ValueKind != JsonValueKind.Null)
        {
            var requestId = root.TryGetProperty("RequestId", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() ?? "" : "";
            var errorCode = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("Code", out var c) && c.ValueKind == JsonValueKind.String
                ? c.GetString() ?? ""
                : "";
            var message = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("Message", out var m) && m.ValueKind == JsonValueKind.String
                ? m.GetString() ?? ""
                : "";
            response.Dispose();
            if (!IsPlausibleCode(errorCode))
            {
                throw Invalid(call, $"Response.Error without a usable Code (RequestId {(requestId.Length == 0 ? "none" : Clean(call, requestId))})");
            }
            throw TencentCloudException.Api(call.Action, call.Region, call.Host, errorCode, Clean(call, message), Clean(call, requestId));
        }
        return new ApiResponse(response, buffer);
    }

    private static TencentCloudException Invalid(Call call, string what, bool retryable = true, Exception? inner = null) =>
        TencentCloudException.InvalidResponse(call.Action, call.Region, call.Host, what, retryable, inner);

    // Error codes become label values and log fields: accept only what Tencent's codes look like
    // ("RequestLimitExceeded.UinLimitExceeded"), so a hostile or broken body cannot inject anything else.
    private static bool IsPlausibleCode(string code) =>
        code.Length is > 0 and <= 128 && code.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '.' or '_' or '-');

    /// <summary>Server text bound for exception messages: shortened, control characters replaced, the
    /// SecretKey and token masked in case a server ever echoes them, and the SecretId masked as it is
    /// everywhere else. Masked before shortening, so a secret cut in half at the end cannot slip through.</summary>
    private static string Clean(Call call, string text)
    {
        var credentials = call.Credentials;
        if (credentials.SecretKey.Length > 0)
        {
            text = text.Replace(credentials.SecretKey, "****", StringComparison.Ordinal);
        }
        if (!string.IsNullOrEmpty(credentials.Token))
        {
            text = text.Replace(credentials.Token, "****", StringComparison.Ordinal);
        }
        if (credentials.SecretId.Length > 0)
        {
            // Tencent's own messages quote it in full ("The SecretId 'AKID…' is not found").
            text = text.Replace(credentials.SecretId, credentials.MaskedSecretId, StringComparison.Ordinal);
        }
        if (text.Length > MaxMessageChars)
        {
            text = text[..MaxMessageChars] + "…";
        }
        var sb = new StringBuilder(text.Length);
        foreach (var ch in text)
        {
            sb.Append(char.IsControl(ch) ? ' ' : ch);
        }
        return sb.ToString();
    }

    private static void RequireHeaderValue(string? value, string parameter, string what, bool showValue = true)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new ArgumentException($"The {what} is empty.", parameter);
        }
        foreach (var ch in value)
        {
            if (ch < 0x20 || ch > 0x7e)
            {
                throw new ArgumentException(
                    showValue ? $"The {what} \"{value.ReplaceLineEndings(" ")}\" contains characters that cannot be sent in an HTTP header." : $"The {what} contains characters that cannot be sent in an HTTP header.",
                    parameter);
            }
        }
    }

    private sealed record Call(ApiTarget Target, string Action, string Host, Uri RequestUri, Credentials Credentials)
    {
        public string Region => Target.Region;
    }
}
