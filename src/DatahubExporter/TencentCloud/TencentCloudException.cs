namespace DatahubExporter.TencentCloud;

/// <summary>
/// Base of every failure of a Tencent Cloud call. <see cref="Code"/> is what goes into the
/// <c>code</c> label of <c>datahub_exporter_api_requests_total</c> and into logs; messages never carry secrets.
/// STUB: the TencentCloud helper replaces this file with the full hierarchy.
/// </summary>
public abstract class TencentCloudException(string message, Exception? inner = null) : Exception(message, inner)
{
    public abstract string Code { get; }
}
