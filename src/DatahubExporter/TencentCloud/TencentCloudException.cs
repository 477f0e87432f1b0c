using System.Net;
using DatahubExporter.TencentCloud.CredentialSources;

namespace DatahubExporter.TencentCloud;

/// <summary>
/// Every failure of one Tencent Cloud API call, after the client has given up retrying. <see cref="Code"/> is
/// what goes into the <c>code</c> label of <c>datahub_exporter_api_requests_total</c> and into logs: a Tencent
/// error code from the <c>Response.Error</c> envelope (<see cref="IsApiError"/>), or one of the client-side
/// codes below. Messages name the action, region and host and say what happened; they never carry the
/// SecretKey or the token. One type with a code rather than a type per failure, because code, retryability
/// and message are all that callers, metrics and logs read.
/// </summary>
internal sealed class TencentCloudException : Exception
{
    /// <summary>No complete answer within the attempt timeout (or the <see cref="HttpClient.Timeout"/> of the
    /// client passed in). Retryable. Never the caller's own cancellation: that surfaces as
    /// <see cref="OperationCanceledException"/>, see <see cref="TencentCloudClient.CallAsync"/>.</summary>
    public const string TimeoutCode = "Timeout";

    /// <summary>No complete answer at the transport level: DNS, connect, TLS, reset, or the connection closing
    /// mid-body. Retryable (§4.4): the Describe actions are read-only, so repeating them is safe.</summary>
    public const string NetworkErrorCode = "NetworkError";

    /// <summary>An HTTP status other than 200. Tencent answers every processed request with 200
    /// (tencent-cloud-api.md §4.1), so this comes from a proxy, a gateway or an overloaded front end; retryable.</summary>
    public const string HttpStatusErrorCode = "HttpStatusError";

    /// <summary>The body was not the API 3.0 envelope: not JSON, truncated, no <c>Response</c> object, an error
    /// without a code; retryable (§4.4). Not retryable for the legacy <c>{"code":int}</c> shape or a page that lost
    /// its list: definite answers that asking again cannot change.</summary>
    public const string InvalidResponseCode = "InvalidResponse";

    /// <summary>The (decoded) body grew past <see cref="TencentCloudClientOptions.MaxResponseBytes"/>. Not
    /// retried: the same request would bring the same body, and reading it again only costs more memory.</summary>
    public const string ResponseTooLargeCode = "ResponseTooLarge";

    /// <summary>No credentials to sign with: the role source has not answered yet, or its keys expired and
    /// every refresh since has failed. No request was sent. Not retryable within a scrape: the provider retries
    /// in the background, and the next scrape picks up what it gets.</summary>
    public const string CredentialErrorCode = "CredentialError";

    private TencentCloudException(
        string action, string region, string host, string code, bool isRetryable, bool isApiError, string what, Exception? inner)
        : base($"Tencent Cloud API {action} (region {region}, host {host}): {what}", inner)
    {
        Action = action;
        Region = region;
        Host = host;
        Code = code;
        IsRetryable = isRetryable;
        IsApiError = isApiError;
    }

    /// <summary>A Tencent error code such as <c>RequestLimitExceeded</c>, or a client-side code
    /// (<see cref="TimeoutCode"/>, <see cref="NetworkErrorCode"/>, …).</summary>
    public string Code { get; }

    /// <summary>Whether another attempt may succeed (tencent-cloud-api.md §4.4). The client has already used
    /// its attempts when this reaches a caller, so callers only need it for logging.</summary>
    public bool IsRetryable { get; }

    /// <summary>True when the API processed the request and answered with the <c>Response.Error</c> envelope
    /// (§4.1): <see cref="Code"/> is then Tencent's.</summary>
    public bool IsApiError { get; }

    public string Action { get; }

    public string Region { get; }

    /// <summary>The authority actually connected to (host, plus port when not the scheme's default).</summary>
    public string Host { get; }

    /// <summary>True for <c>AuthFailure.SignatureExpire</c>: the client re-signs with a fresh timestamp and
    /// retries once (§1.1 step 6, §4.4) instead of backing off.</summary>
    public bool IsSignatureExpired => IsApiError && Code == "AuthFailure.SignatureExpire";

    /// <summary>True for every <c>RequestLimitExceeded</c> variant: the key's callers together went over the
    /// API's rate (§5).</summary>
    public bool IsRateLimited => IsApiError && HasPrefix(Code, "RequestLimitExceeded");

    /// <summary>The API's <c>Response.Error</c>, which Tencent sends with HTTP 200 (§4.1). <paramref name="apiMessage"/>
    /// is human text that may change, so nothing branches on it; <paramref name="requestId"/> ("" when the answer
    /// had none) is what to quote to Tencent support. Both must already be sanitised.</summary>
    public static TencentCloudException Api(string action, string region, string host, string code, string apiMessage, string requestId) =>
        new(action, region, host, code, IsRetryableCode(code), isApiError: true,
            $"error {code}: {(apiMessage.Length == 0 ? "(no message)" : apiMessage)} (RequestId {(requestId.Length == 0 ? "none" : requestId)})", null);

    public static TencentCloudException Credential(string action, string region, string host, CredentialException inner) =>
        new(action, region, host, CredentialErrorCode, isRetryable: false, isApiError: false, inner.Message, inner);

    public static TencentCloudException HttpStatus(string action, string region, string host, HttpStatusCode statusCode) =>
        new(action, region, host, HttpStatusErrorCode, isRetryable: true, isApiError: false,
            $"HTTP status {(int)statusCode} ({statusCode}), expected 200", null);

    public static TencentCloudException InvalidResponse(
        string action, string region, string host, string what, bool isRetryable = true, Exception? inner = null) =>
        new(action, region, host, InvalidResponseCode, isRetryable, isApiError: false, "invalid response: " + what, inner);

    public static TencentCloudException Network(string action, string region, string host, Exception inner) =>
        new(action, region, host, NetworkErrorCode, isRetryable: true, isApiError: false, "network error: " + inner.Message, inner);

    public static TencentCloudException ResponseTooLarge(string action, string region, string host, long limitBytes) =>
        new(action, region, host, ResponseTooLargeCode, isRetryable: false, isApiError: false,
            $"response body larger than the limit of {limitBytes} bytes", null);

    public static TencentCloudException Timeout(string action, string region, string host, TimeSpan timeout, Exception? inner) =>
        new(action, region, host, TimeoutCode, isRetryable: true, isApiError: false,
            FormattableString.Invariant($"no complete answer within the attempt timeout of {timeout.TotalSeconds:0.###} s"), inner);

    /// <summary>
    /// The retry-with-backoff codes of §4.4: every <c>RequestLimitExceeded</c> variant, every
    /// <c>InternalError</c> variant, <c>ServiceUnavailable</c> and <c>ResourceUnavailable</c>, plus
    /// <c>AuthFailure.SignatureExpire</c> (retried once, re-signed). Everything else (other AuthFailure.*,
    /// InvalidParameter*, UnauthorizedOperation, …) is a definite answer that repeating cannot change.
    /// </summary>
    public static bool IsRetryableCode(string code) =>
        HasPrefix(code, "RequestLimitExceeded")
        || HasPrefix(code, "InternalError")
        || code is "ServiceUnavailable" or "ResourceUnavailable" or "AuthFailure.SignatureExpire";

    // "RequestLimitExceeded" or "RequestLimitExceeded.<sub>", but not "RequestLimitExceededFoo".
    private static bool HasPrefix(string code, string family) =>
        code.StartsWith(family, StringComparison.Ordinal) && (code.Length == family.Length || code[family.Length] == '.');
}
