using System.Net;

namespace DatahubExporter.TencentCloud;

/// <summary>
/// The server answered with an HTTP status other than 200. Tencent answers every processed request with
/// 200 (tencent-cloud-api.md §4.1), so this comes from a proxy, a gateway or an overloaded front end; retryable (§4.4).
/// </summary>
internal sealed class TencentCloudHttpStatusException(string action, string region, string host, HttpStatusCode statusCode)
    : TencentCloudException(action, region, host, $"HTTP status {(int)statusCode} ({statusCode}), expected 200", null)
{
    public override string Code => "HttpStatusError";

    public HttpStatusCode StatusCode { get; } = statusCode;

    public override bool IsRetryable => true;
}
