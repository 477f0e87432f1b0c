namespace DatahubExporter.TencentCloud;

/// <summary>
/// The body was not the API 3.0 envelope: not JSON, truncated, no <c>Response</c> object, a
/// <c>Response.Error</c> without a code, or the legacy <c>{"code":int,"message":...}</c> shape. Retryable
/// (§4.4 "a body that is not valid JSON"), except the legacy shape: that is a definite answer from an
/// endpoint that does not speak API 3.0 (usually a wrong <c>endpoint</c>), and asking again cannot change it.
/// </summary>
internal sealed class TencentCloudInvalidResponseException(
    string action, string region, string host, string what, bool isRetryable = true, Exception? inner = null)
    : TencentCloudException(action, region, host, "invalid response: " + what, inner)
{
    public override string Code => "InvalidResponse";

    public override bool IsRetryable { get; } = isRetryable;
}
