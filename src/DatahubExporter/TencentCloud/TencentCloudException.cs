namespace DatahubExporter.TencentCloud;

/// <summary>
/// Base of every failure of one Tencent Cloud API call, after the client has given up retrying.
/// <see cref="Code"/> is what goes into the <c>code</c> label of <c>datahub_exporter_api_requests_total</c>
/// and into logs. Messages name the action, region and host and say what happened; they never carry the
/// SecretKey or the token.
/// </summary>
internal abstract class TencentCloudException : Exception
{
    protected TencentCloudException(string action, string region, string host, string what, Exception? inner)
        : base($"Tencent Cloud API {action} (region {region}, host {host}): {what}", inner)
    {
        Action = action;
        Region = region;
        Host = host;
    }

    /// <summary>A Tencent error code such as <c>RequestLimitExceeded</c>, or a client-side code
    /// (<c>Timeout</c>, <c>NetworkError</c>, <c>HttpStatusError</c>, <c>InvalidResponse</c>, <c>ResponseTooLarge</c>).</summary>
    public abstract string Code { get; }

    /// <summary>Whether another attempt may succeed (tencent-cloud-api.md §4.4). The client has already used
    /// its attempts when this reaches a caller, so callers only need it for logging.</summary>
    public virtual bool IsRetryable => false;

    public string Action { get; }

    public string Region { get; }

    /// <summary>The authority actually connected to (host, plus port when not the scheme's default).</summary>
    public string Host { get; }
}
