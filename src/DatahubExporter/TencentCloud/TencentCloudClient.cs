using System.Net;
using System.Runtime.ExceptionServices;
using DatahubExporter.Configuration;
using DatahubExporter.TencentCloud.CredentialSources;

namespace DatahubExporter.TencentCloud;

/// <summary>
/// Signed POSTs to the Tencent Cloud API 3.0 (service <c>ckafka</c>, version 2019-08-19): the attempts of one
/// call, their retries (§4.4) and the client-side rate limiter (§5). The request of one attempt is built by
/// <see cref="SignedRequest"/> (§1), its body read by <see cref="BoundedBody"/> and unwrapped by
/// <see cref="ApiEnvelope"/> (§4.1). Thread-safe; one instance serves every region and action.
/// </summary>
/// <remarks>
/// Failure behaviour of <see cref="CallAsync"/>: it throws a <see cref="TencentCloudException"/> describing
/// the last attempt once attempts run out or the error is not retryable; refusals by the rate limit use up no
/// attempt when the caller's token carries a deadline (that deadline ends them). When the caller's token is
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
/// The <see cref="HttpClient"/> passed in must decode gzip itself (see <see cref="ApiHttp.Create"/>);
/// this class only ever sees decoded bytes. A request sent while its <see cref="ApiHttp.Connections"/> opened one
/// counts for the limiter from its answer (see <see cref="Departure"/>).
/// </remarks>
internal sealed class TencentCloudClient(ApiHttp http, TencentCloudClientOptions options, IApiObserver observer, TimeProvider time)
{
    public const string Service = "ckafka";
    public const string ApiVersion = "2019-08-19";

    /// <summary>Refusals by the rate limit (<c>RequestLimitExceeded</c>) one call sits out when its token carries a
    /// deadline: they do not use up attempts, the deadline ends them; this only bounds a call whose deadline is far
    /// off (each refusal costs at least a second).</summary>
    internal const int MaxRefusals = 600;

    /// <summary>The clock of every wait, timeout and timestamp of this client and of the <see cref="CkafkaClient"/> over it.</summary>
    internal TimeProvider Time => time;

    private readonly RequestRateLimiter _limiter = new(options.RateLimitPerSecond, time, options.RateLimitWindowGuard);

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
        SignedRequest.RequireHeaderValue(action, nameof(action), "action");
        SignedRequest.RequireHeaderValue(target.Region, nameof(target), "region");

        // Any path, query or user info in the endpoint is dropped: the canonical URI is always "/" (§2.1).
        // Credentials are filled in at each attempt, before anything reads them.
        var call = new ApiCall(target, action, endpoint.Authority, new Uri($"{endpoint.Scheme}://{endpoint.Authority}/"), null!);
        var maxAttempts = Math.Max(1, options.MaxAttempts);
        TencentCloudException? last = null;
        var resigned = false;
        var renewedCredentials = false;
        var refusals = 0;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                cancellationToken.ThrowIfCancellationRequested();
                // The keys in force now: a role source may have refreshed them since the last attempt.
                call = call with { Credentials = await CurrentCredentialsAsync(call, cancellationToken).ConfigureAwait(false) };
                // Tencent counts the limit per action and the gateway a request reaches (§5): the host, which is the
                // region with the default regional hosts, but shared by every region behind one endpoint override.
                // The lease returns its permit when disposed if nothing reported it sooner, whatever throws before the send.
                using var lease = await _limiter.WaitAsync(action, call.LimiterHost, cancellationToken).ConfigureAwait(false);
                return await AttemptAsync(call, body, lease, cancellationToken).ConfigureAwait(false);
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
                        observer.Retrying(action, target.Region, e.Code, target.Account);
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
                    _limiter.Refused(action, call.LimiterHost);
                    backOff = !_limiter.IsEnabled;
                }
                // Another client using the key's whole quota is not this call's failure: with a deadline, refusals are
                // bounded by it (each one still waits its second and lowers the rate), not by the attempts.
                var sitOut = refused && cancellationToken.CanBeCanceled && ++refusals < MaxRefusals;
                if (!retry || (attempt >= maxAttempts && !sitOut))
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
                observer.Retrying(action, target.Region, e.Code, target.Account);
                if (sitOut)
                {
                    attempt--;
                }
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

    private static async Task<Credentials> CurrentCredentialsAsync(ApiCall call, CancellationToken cancellationToken)
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
        SignedRequest.RequireHeaderValue(credentials.SecretId, "target", "SecretId", showValue: false);
        if (!string.IsNullOrEmpty(credentials.Token))
        {
            SignedRequest.RequireHeaderValue(credentials.Token, "target", "token", showValue: false);
        }
        return credentials;
    }

    /// <summary>One attempt, in its limiter <paramref name="turn"/>; the limiter hears when it counts (see
    /// <see cref="Departure"/>).</summary>
    private async Task<ApiResponse> AttemptAsync(ApiCall call, ReadOnlyMemory<byte> body, LimiterLease turn, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var code = "Success";
        var departure = new Departure(turn, http.Connections, time);
        var content = new DepartingBody(body, departure);
        using var attemptTimeout = options.AttemptTimeout > TimeSpan.Zero && options.AttemptTimeout.TotalMilliseconds < int.MaxValue
            ? new CancellationTokenSource(options.AttemptTimeout, time)
            : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, attemptTimeout.Token);
        try
        {
            if (turn.Waited > TimeSpan.Zero)
            {
                observer.LimiterWaited(call.Action, call.Region, turn.Waited.TotalSeconds, call.Target.Account);
            }
            using var request = SignedRequest.Build(call, content, time.GetUtcNow().ToUnixTimeSeconds(), options);
            using var response = await http.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            departure.Answered();
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw TencentCloudException.HttpStatus(call.Action, call.Region, call.Host, response.StatusCode);
            }
            var (buffer, length) = await BoundedBody.ReadAsync(call, response.Content, options.MaxResponseBytes, linked.Token).ConfigureAwait(false);
            ApiResponse? answer = null;
            try
            {
                // The answer reads the buffer in place and returns it to the pool when disposed; on any failure
                // it goes back here.
                answer = ApiEnvelope.Parse(call, buffer, length);
                return answer;
            }
            finally
            {
                if (answer is null)
                {
                    ResponseBuffers.Shared.Return(buffer);
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
            throw TencentCloudException.InvalidResponse(call.Action, call.Region, call.Host, "body could not be decoded: " + e.Message, inner: e);
        }
        finally
        {
            departure.Finish();
            observer.RequestCompleted(call.Action, call.Region, code, time.GetElapsedTime(started).TotalSeconds, call.Target.Account);
        }
    }
}
