namespace DatahubExporter.TencentCloud;

/// <summary>
/// The request did not get a complete answer at the transport level: DNS, connect, TLS, reset, or the
/// connection closing mid-body. The inner exception has the detail. Retryable (§4.4): the three
/// Describe actions are read-only, so repeating them is safe.
/// </summary>
internal sealed class TencentCloudNetworkException(string action, string region, string host, Exception inner)
    : TencentCloudException(action, region, host, "network error: " + inner.Message, inner)
{
    public override string Code => "NetworkError";

    public override bool IsRetryable => true;
}
