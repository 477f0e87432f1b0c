namespace DatahubExporter.TencentCloud;

/// <summary>
/// One HTTP attempt ran longer than <see cref="TencentCloudClientOptions.AttemptTimeout"/> (or the
/// <see cref="HttpClient.Timeout"/> of the client passed in). Retryable. This is never used for the
/// caller's own cancellation: that surfaces as <see cref="OperationCanceledException"/>, see
/// <see cref="TencentCloudClient.CallAsync"/>.
/// </summary>
internal sealed class TencentCloudTimeoutException(string action, string region, string host, TimeSpan timeout, Exception? inner)
    : TencentCloudException(action, region, host,
        FormattableString.Invariant($"no complete answer within the attempt timeout of {timeout.TotalSeconds:0.###} s"), inner)
{
    public override string Code => "Timeout";

    public TimeSpan Timeout { get; } = timeout;

    public override bool IsRetryable => true;
}
