using System.Reflection;
using DatahubExporter.Configuration;

namespace DatahubExporter.TencentCloud;

/// <summary>Tuning of <see cref="TencentCloudClient"/>. Immutable once built; the defaults suit the CKafka
/// Describe actions (tencent-cloud-api.md §2.2, §5).</summary>
internal sealed class TencentCloudClientOptions
{
    /// <summary>Client-side requests per second per (action, API host); 0 or less disables the limiter. The
    /// documented server limit is 20/s per action and region (§2.2); the exporter passes <c>--api.rate-limit</c>.</summary>
    public required double RateLimitPerSecond { get; init; }

    /// <summary>Margin added to each rate-limit window (see <see cref="RequestRateLimiter"/>); concurrent
    /// paging sends bursts, which need it.</summary>
    public TimeSpan RateLimitWindowGuard { get; init; }

    /// <summary>HTTP attempts per call, including the first; values below 1 count as 1.</summary>
    public int MaxAttempts { get; init; } = ExporterOptions.Defaults.ApiMaxAttempts;

    /// <summary>Backoff before retry n (0-based) is uniform in [0, min(MaxBackoff, BaseBackoff·2ⁿ)] ("full jitter").</summary>
    public TimeSpan BaseBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest accepted response body, counted after gzip decoding. Tencent caps responses at
    /// 50 MB (§1.2); a page of 100 Datahub tasks is far below 1 MiB.</summary>
    public long MaxResponseBytes { get; init; } = 16L * 1024 * 1024;

    /// <summary>Limit for one HTTP attempt (send and read the whole body). The overall deadline is the
    /// caller's <see cref="CancellationToken"/>; <see cref="Timeout.InfiniteTimeSpan"/> disables this one.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Sent as <c>X-TC-Language</c>: <c>en-US</c> or <c>zh-CN</c> (§1.2); decides the language of error messages.</summary>
    public string Language { get; init; } = "en-US";

    /// <summary>Sent as <c>X-TC-RequestClient</c> (§1.2), so that Tencent can tell this client's traffic apart.</summary>
    public string RequestClient { get; init; } = "datahub_exporter/" + DatahubExporter.Telemetry.BuildInfo.Version;
}
