using System.Text.Json;
using DatahubExporter.Telemetry;

namespace DatahubExporter.TencentCloud;

/// <summary>STUB: replaced by the TencentCloud helper.</summary>
public sealed class TencentCloudClientOptions
{
    public double RateLimitPerSecond { get; init; } = 15;
    public int MaxAttempts { get; init; } = 4;
}

/// <summary>STUB: replaced by the TencentCloud helper.</summary>
public sealed class TencentCloudClient(HttpClient http, TencentCloudClientOptions options, IApiObserver observer, TimeProvider time)
{
    public static HttpClient CreateHttpClient() => new();

    public Task<JsonDocument> CallAsync(ApiTarget target, string action, ReadOnlyMemory<byte> body, CancellationToken cancellationToken) =>
        throw new NotImplementedException();
}
