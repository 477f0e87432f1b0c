namespace DatahubExporter.TencentCloud;

/// <summary>
/// The (decoded) body grew past <see cref="TencentCloudClientOptions.MaxResponseBytes"/>. Not retried: the
/// same request would bring the same body, and reading it again only costs more memory.
/// </summary>
internal sealed class TencentCloudResponseTooLargeException(string action, string region, string host, long limitBytes)
    : TencentCloudException(action, region, host, $"response body larger than the limit of {limitBytes} bytes", null)
{
    public override string Code => "ResponseTooLarge";

    public long LimitBytes { get; } = limitBytes;
}
