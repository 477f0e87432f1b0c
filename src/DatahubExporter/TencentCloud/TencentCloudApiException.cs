namespace DatahubExporter.TencentCloud;

/// <summary>
/// The API processed the request and answered with the <c>Response.Error</c> envelope, which Tencent sends
/// with HTTP 200 (tencent-cloud-api.md §4.1). Retryability follows §4.4.
/// </summary>
internal sealed class TencentCloudApiException : TencentCloudException
{
    public TencentCloudApiException(string action, string region, string host, string code, string apiMessage, string requestId)
        : base(action, region, host, Describe(code, apiMessage, requestId), null)
    {
        Code = code;
        ApiMessage = apiMessage;
        RequestId = requestId;
    }

    public override string Code { get; }

    /// <summary>Tencent's <c>Error.Message</c>; human text that may change, so never branch on it (§4.1).</summary>
    public string ApiMessage { get; }

    /// <summary>Tencent's <c>RequestId</c>, "" when the answer had none; quote it to Tencent support.</summary>
    public string RequestId { get; }

    public override bool IsRetryable => IsRetryableCode(Code);

    /// <summary>True for <c>AuthFailure.SignatureExpire</c>: the client re-signs with a fresh timestamp and
    /// retries once (§1.1 step 6, §4.4) instead of backing off.</summary>
    public bool IsSignatureExpired => Code == "AuthFailure.SignatureExpire";

    /// <summary>True for every <c>RequestLimitExceeded</c> variant: the key's callers together went over the
    /// API's rate (§5).</summary>
    public bool IsRateLimited => HasPrefix(Code, "RequestLimitExceeded");

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

    private static string Describe(string code, string apiMessage, string requestId) =>
        $"error {code}: {(apiMessage.Length == 0 ? "(no message)" : apiMessage)} (RequestId {(requestId.Length == 0 ? "none" : requestId)})";
}
